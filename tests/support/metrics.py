"""The metrics the app emitted, read back from its EMF lines on stdout (as CloudWatch Logs would)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any


def emitted(capsys: Any) -> Counter[str]:
    """Sum of every Paydrop metric printed since the last call (`capsys` captured stdout)."""
    from chalicelib import metrics

    metrics.flush()  # what services counted outside an invocation (tests calling them directly)
    totals: Counter[str] = Counter()
    for line in capsys.readouterr().out.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document = json.loads(line)
        [directive] = document["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Paydrop" and sorted(directive["Dimensions"][0]) == ["service", "stage"]
        for metric in directive["Metrics"]:
            assert metric["Unit"] == "Count"
            value = document[metric["Name"]]
            totals[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    return totals
