"""Scale: an access log of 1,000,000 entries exported as CSV (budget: constant memory, well inside
the exports worker's 512 MB and 15 minutes; time per entry flat).

Two parts, each in fresh interpreters (peak RSS is the process's, as Lambda counts it; moto
runs in its own process):

1. The worker end to end — `access_log_export.run` as the exports worker runs it: the Query
   pages of the resource's log, the CSV, the multipart upload to S3, the status updates —
   over 10,000 entries (the baseline) and 100,000, seeded into moto with BatchWriteItem
   (seeding timed apart). A million entries are not seeded: moto takes ~1 ms per item to
   store and re-reads the whole partition for every Query page, so that run would measure moto.
2. The CSV and upload path alone — `stream_csv` fed by a generator that turns DynamoDB's
   wire form of each entry into the model, as the Query pages do — over 10,000 entries and
   1,000,000, to moto's S3.

Prints wall and CPU time, per-entry figures, the ratio to the baseline, the file's size and
parts, and peak RSS before and after. Exit code 1 when a run's peak RSS passes 512 MB or its
CPU time per entry is over twice the baseline's.

    .venv/bin/python bench/export_scale.py [--query 100000] [--stream 1000000] [--baseline 10000]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.scale_stack import ROOT, batch_save, child_env, local_stack, staff_client

BUDGET_MB = 512
MAX_PER_ENTRY_RATIO = 2.0
AGENTS = ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
          "curl/8.5.0", '=HYPERLINK("https://evil.test")']


def entry_fields(business_id: str, resource_id: str, n: int) -> dict[str, Any]:
    """Entry `n` of a busy resource's log: a download through a link, one second apart, newest last."""
    return {"resource_id": resource_id, "grant_id": "g" * 20, "client_id": "c" * 20, "doc_id": "d" * 20,
            "actor": "link", "action": "download", "result": "ok" if n % 7 else "not_paid",
            "ip": f"203.0.{n // 256 % 256}.{n % 256}", "user_agent": AGENTS[n % len(AGENTS)]}


def entries(business_id: str, resource_id: str, count: int) -> Iterator[Any]:
    from datetime import UTC, datetime, timedelta

    from chalicelib.store import access_log

    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        yield access_log.new_entry(business_id, f"{n:020d}", start + timedelta(seconds=n), 365,
                                   **entry_fields(business_id, resource_id, n))


def wire_entries(count: int) -> Iterator[Any]:
    """`count` entries as a Query page hands them to the app: DynamoDB JSON made into models."""
    from chalicelib.store.access_log import AccessLog

    template = next(entries("bench", "r" * 20, 1))
    raw = template.serialize()
    for n in range(count):
        raw["sk"] = {"S": f"2026-01-01T00:00:00.000Z#{n:020d}"}
        raw["log_id"] = {"S": f"{n:020d}"}
        raw["ip"] = {"S": f"203.0.{n // 256 % 256}.{n % 256}"}
        raw["user_agent"] = {"S": AGENTS[n % len(AGENTS)]}
        yield AccessLog.from_raw_data(raw)


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from bench.scale_stack import peak_rss_mb
from chalicelib.config import settings
from chalicelib.services.delivery import access_log_export
from chalicelib.store import exports
from chalicelib.aws import s3
before = peak_rss_mb()
t, cpu = time.perf_counter(), time.process_time()
if {mode!r} == "worker":
    outcome = access_log_export.run({{"business_id": {business_id!r}, "export_id": {export_id!r}}})
    done = exports.get_export({business_id!r}, {export_id!r})
    rows, size, key = int(done.rows), int(done.size), done.key
else:
    from bench.export_scale import wire_entries
    key = "exports/bench/stream-{count}.csv"
    rows, size = access_log_export.stream_csv(wire_entries({count}), settings().files_bucket, key)
wall, cpu = time.perf_counter() - t, time.process_time() - cpu
head = s3().head_object(Bucket=settings().files_bucket, Key=key, PartNumber=1)
print(json.dumps({{"rows": rows, "size": size, "parts": head.get("PartsCount", 1), "wall": wall, "cpu": cpu,
                  "before": before, "peak": peak_rss_mb()}}))
"""


def run_child(mode: str, count: int, business_id: str = "", export_id: str = "") -> dict[str, Any]:
    code = CHILD.format(root=str(ROOT), mode=mode, count=count, business_id=business_id, export_id=export_id)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def report(label: str, results: dict[int, dict[str, Any]], baseline: int) -> bool:
    ok = True
    base = results[baseline]
    print(label)
    for r in results.values():
        per_entry = r["cpu"] / r["rows"] * 1e6
        ratio = per_entry / (base["cpu"] / base["rows"] * 1e6)
        ok = ok and r["peak"] <= BUDGET_MB and ratio <= MAX_PER_ENTRY_RATIO
        print(f"  {r['rows']:>9,} entries: wall {r['wall']:6.1f} s, CPU {r['cpu']:6.1f} s = {per_entry:5.1f} µs/entry "
              f"({ratio:.2f}× the {baseline:,}); {r['size'] / 1e6:6.1f} MB in {r['parts']} part(s); "
              f"peak RSS {r['peak']:4.0f} MB (after imports {r['before']:.0f} MB)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", type=int, default=100_000, help="entries seeded into moto for the worker run")
    parser.add_argument("--stream", type=int, default=1_000_000, help="entries generated for the CSV+upload run")
    parser.add_argument("--baseline", type=int, default=10_000)
    args = parser.parse_args()
    with local_stack(), staff_client() as (_, staff):
        from chalicelib import clock
        from chalicelib.domain.tokens import new_id
        from chalicelib.store import exports

        worker: dict[int, dict[str, Any]] = {}
        for count in (args.baseline, args.query):
            resource_id = new_id()
            seeded, seconds = batch_save(entries(staff.business_id, resource_id, count))
            print(f"seeded {seeded:>9,} log entries into moto with BatchWriteItem in {seconds:6.1f} s "
                  f"({seconds / seeded * 1e6:.0f} µs/entry)")
            export = exports.new_export(staff.business_id, new_id(), "resource", resource_id, "bench", clock.now())
            worker[count] = run_child("worker", count, staff.business_id, export.export_id)
        stream = {count: run_child("stream", count) for count in (args.baseline, args.stream)}
    ok = report("1. the exports worker end to end (Query pages from moto, CSV, multipart upload):", worker, args.baseline)
    ok = report("2. CSV and multipart upload from a generator of entries as Query pages deliver them:", stream,
                args.baseline) and ok
    print(f"budget: peak RSS ≤ {BUDGET_MB} MB, CPU per entry ≤ {MAX_PER_ENTRY_RATIO}× the baseline -> "
          f"{'OK' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
