"""Scale: a statement over five years of history (budget: ≤ 3 s, within the API Lambda's 512 MB).

Two clients of one business on a local moto stack (moto in its own process), seeded with
BatchWriteItem: 50 invoices (the baseline) and 5,000 over five years, each paid one with its
payment (~9,990 statement lines). For each, a fresh interpreter — as a Lambda container —
imports the app, renders one small statement to load reportlab and the fonts, then times
`services.billing.statements.statement` for the whole five years: the reads (client, every
page of the invoices and of the payments), the arithmetic, the PDF, the S3 put and the
presigned link; the cached PDF is deleted before each run so every run renders. Prints the
median of the app's own time (the CPU time of the process: moto runs in another one and
answers an index Query by looking at every item of the table, so the wall time waiting on it
is moto's, not DynamoDB's; CPU time also holds on a machine shared with other work; the
items each call returned are printed), the process's peak RSS (what Lambda's memory limit counts) and the
statement's own peak allocation (tracemalloc, in a separate run: it slows rendering ~10×),
and the ratios 5,000 / 50. Exit code 1 when over budget.

    .venv/bin/python bench/statement_scale.py [--history 5000] [--baseline 50] [--rounds 3]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.scale_stack import ROOT, batch_save, child_env, history, local_stack, staff_client

BUDGET_S = 3.0
BUDGET_MB = 512
FROM, TO, TODAY = "2021-12-01", "2026-11-30", "2026-12-01"

CHILD = """
import json, statistics, sys, time, tracemalloc
from datetime import date
sys.path.insert(0, {root!r})
from bench.scale_stack import dynamodb_calls, peak_rss_mb
from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.services.billing import statements
from chalicelib.store.businesses import get_business

business = get_business({business_id!r})
today = date.fromisoformat({today!r})
statements.statement(business, {warm_client!r}, "2026-01-01", "2026-11-30", today)  # reportlab, fonts
rss_before = peak_rss_mb()

def run():
    made = statements.statement(business, {client_id!r}, {start!r}, {end!r}, today)
    s3().delete_object(Bucket=settings().files_bucket, Key=made.pdf.key)  # the next run renders again
    return made

times, own = [], []
for _ in range({rounds}):
    with dynamodb_calls() as calls:
        t, cpu = time.perf_counter(), time.process_time()
        made = run()
        times.append(time.perf_counter() - t)
    own.append(time.process_time() - cpu)  # moto runs in another process: this is the app's own work
lines = sum(len(s.lines) for s in made.period.sections)
rss_after = peak_rss_mb()
tracemalloc.start()
made = run()
traced = tracemalloc.get_traced_memory()[1] / 1e6
tracemalloc.stop()
print(json.dumps({{"median": statistics.median(own), "total": statistics.median(times),
                  "calls": [[c.name, c.items] for c in calls], "lines": lines,
                  "rss_before": rss_before, "rss": rss_after, "traced": traced}}))
"""


def measure(business_id: str, client_id: str, warm_client: str, rounds: int) -> dict[str, object]:
    code = CHILD.format(root=str(ROOT), business_id=business_id, client_id=client_id, warm_client=warm_client,
                        today=TODAY, start=FROM, end=TO, rounds=rounds)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--baseline", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with local_stack(), staff_client() as (_, staff):
        clients = {}
        for size in (args.baseline, args.history):
            client_id = staff.call("POST", "/api/v1/clients", {"name": f"Client with {size} invoices"})["client_id"]
            count, seconds = batch_save(history(staff.business_id, client_id, size))
            print(f"seeded {size:>6} invoices ({count} items with their payments) in {seconds:5.1f} s")
            clients[size] = client_id
        results = {size: measure(staff.business_id, client_id, clients[args.baseline], args.rounds)
                   for size, client_id in clients.items()}
    print(f"statement {FROM} to {TO} (5 years), fresh interpreter each, median of {args.rounds} runs:")
    for size, r in results.items():
        calls = r["calls"]
        print(f"  {size:>6} invoices, {r['lines']:>6} lines: app {r['median']:5.2f} s (total on moto {r['total']:5.2f} s)   "
              f"{len(calls)} DynamoDB calls ({', '.join(f'{n} {i}' for n, i in calls)})   "  # type: ignore[union-attr]
              f"peak RSS {r['rss']:5.0f} MB (after the warm-up {r['rss_before']:.0f} MB)   "
              f"statement's peak allocation {r['traced']:5.1f} MB")
    big, small = results[args.history], results[args.baseline]
    print(f"  ratio {args.history} / {args.baseline}: time {big['median'] / small['median']:.0f}×, "  # type: ignore[operator]
          f"peak RSS {big['rss'] / small['rss']:.2f}×, lines {big['lines'] / small['lines']:.0f}×")  # type: ignore[operator]
    ok = big["median"] <= BUDGET_S and big["rss"] <= BUDGET_MB  # type: ignore[operator]
    print(f"  budget: ≤ {BUDGET_S:.0f} s and ≤ {BUDGET_MB} MB -> {'OK' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
