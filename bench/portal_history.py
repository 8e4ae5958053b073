"""Scale: a client's portal as their history grows (budget: ≤ 3 DynamoDB calls, flat time).

Two clients of one business on a local moto stack, seeded with BatchWriteItem straight into
the table: one with 50 invoices (the baseline), one with 5,000 over five years (10 still
open, the rest paid, each paid one with its payment). The portal's first page — the
invoices tab, HTML and JSON — is served through the app (Chalice's test client) alternately
for both, after a warm-up; medians, the DynamoDB calls of one request (botocore hook), and
the ratio 5,000 / 50 of the app's own time, the CPU time of the bench process (moto runs in
its own process and answers an index Query by looking at every
item of the table, so the time inside DynamoDB calls is moto's, growing with the table; on
DynamoDB a Query's cost follows the items it returns, printed per call). Then the next page
by the cursor the first page handed out.
Exit code 1 when over budget (> 3 calls, or ratio > 1.5).

    .venv/bin/python bench/portal_history.py [--history 5000] [--baseline 50] [--rounds 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.scale_stack import batch_save, client_with_portal, dynamodb_calls, history, local_stack, staff_client

MAX_CALLS = 3
MAX_RATIO = 1.5  # "flat": noise on a shared 2-core machine, not growth with history


def _get(http: Any, path: str, as_json: bool) -> Any:
    headers = {"Accept": "application/json"} if as_json else {"Accept": "text/html"}
    reply = http.http.request(method="GET", path=path, headers=headers, body=b"")
    assert reply.status_code == 200, (path, reply.status_code, reply.body[:300])
    return reply


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--baseline", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with local_stack(), staff_client() as (http, staff):
        portals = {}
        for size in (args.baseline, args.history):
            client_id, path = client_with_portal(staff, f"Client with {size} invoices")
            count, seconds = batch_save(history(staff.business_id, client_id, size))
            print(f"seeded {size:>6} invoices ({count} items with their payments) in {seconds:5.1f} s")
            portals[size] = path
        ok = True
        totals: dict[tuple[int, bool], float] = {}
        own: dict[tuple[int, bool], float] = {}
        for as_json in (False, True):
            for path in portals.values():
                for _ in range(3):
                    _get(http, path, as_json)  # warm: templates, connections
            samples: dict[int, list[tuple[float, float]]] = {size: [] for size in portals}
            for _ in range(args.rounds):
                for size, path in portals.items():
                    start, cpu = time.perf_counter(), time.process_time()
                    _get(http, path, as_json)
                    samples[size].append((time.perf_counter() - start, time.process_time() - cpu))
            for size in portals:
                totals[(size, as_json)] = statistics.median(t for t, _ in samples[size]) * 1000
                own[(size, as_json)] = statistics.median(o for _, o in samples[size]) * 1000
        print(f"portal first page (invoices tab), median of {args.rounds} alternated requests "
              "(app = this process's CPU time; total = wall time, mostly waiting on moto):")
        for size, path in portals.items():
            with dynamodb_calls() as calls:
                first = _get(http, path, True).json_body
            ok = ok and len(calls) <= MAX_CALLS and all(c.name != "Scan" for c in calls)
            print(f"  {size:>6} invoices: HTML app {own[(size, False)]:5.1f} ms (total {totals[(size, False)]:5.1f})   "
                  f"JSON app {own[(size, True)]:5.1f} ms (total {totals[(size, True)]:5.1f})   "
                  f"{len(calls)} DynamoDB calls: {', '.join(f'{c.name} ({c.items} items)' for c in calls)}; "
                  f"{len(first['items'])} rows, next page: {'yes' if first['next_cursor'] else 'no'}")
        for as_json, label in ((False, "HTML"), (True, "JSON")):
            ratio = own[(args.history, as_json)] / own[(args.baseline, as_json)]
            total_ratio = totals[(args.history, as_json)] / totals[(args.baseline, as_json)]
            ok = ok and ratio <= MAX_RATIO
            print(f"  ratio {args.history} / {args.baseline} ({label}): app {ratio:.2f} (budget ≤ {MAX_RATIO}: flat); "
                  f"total on moto {total_ratio:.2f}")
        first = _get(http, portals[args.history], True).json_body
        with dynamodb_calls() as calls:
            second = _get(http, f"{portals[args.history]}?tab=invoices&cursor={first['next_cursor']}", True).json_body
        ok = ok and len(calls) <= MAX_CALLS
        print(f"  next page of the {args.history}: {len(second['items'])} rows, {len(calls)} DynamoDB calls "
              f"({', '.join(f'{c.name} ({c.items} items)' for c in calls)}), first number {second['items'][0]['number']}")
        print("OK" if ok else "OVER BUDGET")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
