"""Every message the app queues carries the correlation id (`chalicelib/queues.py` is the only sender)."""
from __future__ import annotations

import ast
from pathlib import Path

from chalicelib import logs

ROOT = Path(__file__).resolve().parent.parent


def _send_message_calls() -> list[str]:
    """Where `<anything>.send_message(...)` or `send_message_batch` is called in the app's code."""
    found = []
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("send_message", "send_message_batch")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_queues_module_sends_sqs_messages() -> None:
    assert [c.split(":")[0] for c in _send_message_calls()] == ["chalicelib/queues.py"]


def test_outside_a_request_a_message_gets_a_new_id() -> None:
    from chalicelib import queues

    first = queues.correlation_attributes()["correlation_id"]["StringValue"]
    second = queues.correlation_attributes()["correlation_id"]["StringValue"]
    assert first and second and first != second
    logs.set_correlation_id("req-42")
    try:
        assert queues.correlation_attributes()["correlation_id"]["StringValue"] == "req-42"
    finally:
        logs.set_correlation_id(None)
