"""`make dev` all day: mixed traffic against the local stack, its memory, and how fast Ctrl-C stops it.

Starts `python -m devstack` in a subprocess (its own ports and `.dev` folder), then for
`--minutes` drives what a demo does all day: staff sign in, create, send and share invoices
(emails through the queue), clients open the page (views through the queue), pay in the
offline checkout (webhook → queue → payments worker) and download the released file; staff
list and open invoices. The RSS of the process tree is sampled every 10 s. Then SIGINT, timed.
Prints baseline (after start-up), peak and final RSS and the stop time against the budgets
(< 1 GB, < 5 s). Exit code 1 when over either budget.

    .venv/bin/python bench/dev_soak.py [--minutes 30] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.server import free_port  # noqa: E402

RSS_BUDGET_MB = 1024
STOP_BUDGET_S = 5.0
SAMPLE_EVERY_S = 10.0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its descendants, from /proc (MB)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = (Path("/proc") / str(current) / "status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


def start_stack(dev_dir: Path, verbose: bool) -> tuple[subprocess.Popen[str], dict[str, Any], Path]:
    # As `make dev` starts it (the Makefile's dev target sets the same variables).
    env = {**os.environ, "PORT": str(free_port()), "PAYDROP_DEV_DIR": str(dev_dir), "PYTHONUNBUFFERED": "1",
           "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
    for name in ("PAYDROP_AWS_ENDPOINT_URL", "TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "PUBLIC_BASE_URL"):
        env.pop(name, None)
    log_path = dev_dir / "devstack.log"
    args = [sys.executable, "-m", "devstack", *(["-v"] if verbose else [])]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, text=True)
    demo_file, deadline = dev_dir / "demo.json", time.monotonic() + 120
    while not demo_file.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not demo_file.exists():
        process.kill()
        raise SystemExit("make dev did not start:\n" + log_path.read_text()[-4000:])
    time.sleep(1)  # demo.json is written just before the links are printed
    return process, json.loads(demo_file.read_text()), log_path


class Traffic:
    """One simulated day of use, one round at a time; counts requests and failures."""

    def __init__(self, links: dict[str, Any]) -> None:
        self.links, self.base = links, links["base_url"]
        self.requests, self.failures, self.rounds, self.downloads, self.undelivered = 0, 0, 0, 0, 0
        self._lock = threading.Lock()

    def _call(self, session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
        reply = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        with self._lock:
            self.requests += 1
            self.failures += reply.status_code >= 500
        return reply

    def staff_session(self) -> tuple[requests.Session, str, str]:
        session = requests.Session()
        login = self._call(session, "POST", f"{self.base}/api/v1/auth/login",
                           json={"email": self.links["staff_email"], "password": self.links["staff_password"]})
        session.headers["Authorization"] = f"Bearer {login.json()['id_token']}"
        client_id = self._call(session, "GET", f"{self.base}/api/v1/clients").json()["items"][0]["client_id"]
        products = self._call(session, "GET", f"{self.base}/api/v1/products").json()["items"]
        design = next(p["product_id"] for p in products if p["name"].startswith("Brand design"))
        return session, client_id, design

    def one_round(self, staff: tuple[requests.Session, str, str]) -> None:
        session, client_id, design = staff
        api = f"{self.base}/api/v1/invoices"
        doc = self._call(session, "POST", api, json={"client_id": client_id, "lines": [{"product_id": design}]}).json()
        doc_id = doc["id"]
        self._call(session, "POST", f"{api}/{doc_id}/send", json={})
        page = self._call(session, "POST", f"{api}/{doc_id}/share", json={}).json()["url"]
        client = requests.Session()
        for _ in range(5):
            self._call(client, "GET", page)
        self._pay(client, page)
        self._download(client, page)
        self._call(session, "GET", api)
        self._call(session, "GET", f"{api}/{doc_id}")
        self._call(client, "GET", self.links["portal_url"])
        with self._lock:
            self.rounds += 1

    def _pay(self, client: requests.Session, page: str) -> None:
        checkout = self._call(client, "POST", page + "/pay").headers.get("Location")
        if checkout:
            self._call(client, "GET", checkout)
            self._call(client, "POST", checkout, data={"outcome": "pay"})

    def _download(self, client: requests.Session, page: str) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            view = self._call(client, "GET", page, headers={"Accept": "application/json"}).json()["invoice"]
            ready = [r for r in view["resources"] if r.get("download_url")]
            if view["status"] == "paid" and ready:
                found = self._call(client, "GET", ready[0]["download_url"]).headers.get("Location")
                if found and self._call(client, "GET", found).ok:
                    with self._lock:
                        self.downloads += 1
                return
            time.sleep(0.5)
        with self._lock:
            self.undelivered += 1  # not released within 15 s (mostly Pay's per-IP rate limit: 429)


def drive(traffic: Traffic, until: float, stop: threading.Event) -> None:
    staff = traffic.staff_session()
    started = time.monotonic()
    while time.monotonic() < until and not stop.is_set():
        try:
            traffic.one_round(staff)
        except (requests.RequestException, KeyError, ValueError) as e:
            with traffic._lock:
                traffic.failures += 1
            print(f"  round failed: {type(e).__name__}: {e}", flush=True)
        if time.monotonic() - started > 1800:  # Cognito's id token lasts an hour; sign in again
            staff, started = traffic.staff_session(), time.monotonic()


def sample(pid: int, until: float, every: float, out: list[tuple[float, float]], report: Callable[[str], None]) -> None:
    t0 = time.monotonic()
    while time.monotonic() < until:
        time.sleep(min(every, max(0.0, until - time.monotonic())))
        rss = tree_rss_mb(pid)
        out.append((time.monotonic() - t0, rss))
        report(f"  {out[-1][0]:6.0f} s  RSS {rss:7.1f} MB")


def stop_time(process: subprocess.Popen[str]) -> tuple[float, int | None]:
    t = time.perf_counter()
    process.send_signal(signal.SIGINT)
    try:
        code: int | None = process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        code = None
    return time.perf_counter() - t, code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="concurrent traffic threads")
    parser.add_argument("-v", "--verbose", action="store_true", help="start the stack with -v (poll lines)")
    args = parser.parse_args()
    dev_dir = Path(tempfile.mkdtemp(prefix="paydrop-soak-"))
    process, links, log_path = start_stack(dev_dir, args.verbose)
    baseline = tree_rss_mb(process.pid)
    print(f"make dev started (pid {process.pid}); RSS after start-up {baseline:.1f} MB; "
          f"{args.minutes:g} min of traffic with {args.workers} threads", flush=True)
    traffic, stop = Traffic(links), threading.Event()
    until = time.monotonic() + args.minutes * 60
    samples: list[tuple[float, float]] = []
    threads = [threading.Thread(target=drive, args=(traffic, until, stop), daemon=True) for _ in range(args.workers)]
    threads.append(threading.Thread(target=sample, args=(process.pid, until, SAMPLE_EVERY_S, samples,
                                                         lambda s: print(s, flush=True)), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = tree_rss_mb(process.pid)
    peak = max([baseline, final, *(rss for _, rss in samples)])
    stopped, code = stop_time(process)
    log_lines = log_path.read_text().splitlines()
    ok = peak < RSS_BUDGET_MB and stopped < STOP_BUDGET_S and code == 0
    print(f"\n{'what':<28}{'value':>14}  budget")
    print(f"{'traffic':<28}{traffic.rounds:>8} rounds  {traffic.requests} requests, {traffic.downloads} downloads "
          f"({traffic.undelivered} not released within 15 s), {traffic.failures} failures (5xx, errors)")
    print(f"{'RSS after start-up':<28}{baseline:>11.1f} MB")
    print(f"{'RSS peak':<28}{peak:>11.1f} MB  < {RSS_BUDGET_MB} MB")
    print(f"{'RSS final':<28}{final:>11.1f} MB  (+{final - baseline:.1f} MB over start-up)")
    print(f"{'stop after SIGINT':<28}{stopped:>12.2f} s  < {STOP_BUDGET_S:g} s (exit code {code})")
    print(f"{'log lines':<28}{len(log_lines):>14}  ({log_path})")
    print("-> " + ("OK" if ok else "OVER BUDGET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
