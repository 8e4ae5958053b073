"""`make tick`: run the scheduler once against the running `make dev` stack, as EventBridge would.

It reads the stack's settings from `.dev/env.json` (written by `make dev`), points this process at
the same local AWS, and invokes the function Chalice registered for `@app.schedule(name="scheduler")`
with a scheduled event. Reminder emails go onto the stack's mail queue; the running stack's
event pump sends them and they appear in its outbox. `--at 2030-01-31T10:00:00Z` runs it as of
another moment (the app's clock), to see reminders and expiry without waiting for the date.
`--digests-now` sends every pending notification digest at once, through the same
`digests.send_due` the scheduler runs (the delayed queue message that comes later then finds
the window sent and sends nothing): a demo need not wait the 5 minutes.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime

from devstack.server import DEV_DIR, configure_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make tick", description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="run as of this ISO moment (default: now)")
    parser.add_argument("--digests-now", action="store_true",
                        help="only send every pending notification digest now, its 5 minutes up or not")
    args = parser.parse_args(argv)
    env_file = DEV_DIR / "env.json"
    if not env_file.exists():
        print(f"{env_file} not found: start the local stack with `make dev` first.", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    env = json.loads(env_file.read_text())
    configure_environment(env, env["PUBLIC_BASE_URL"])
    from app import app
    from chalicelib import clock
    from devstack.pump import LambdaContext

    if args.at:
        moment = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
        clock.use(lambda: moment)
    now = clock.now()
    if args.digests_now:
        from chalicelib.services.notifications import digests

        print(f"digests sent: {json.dumps(digests.send_due(now + digests.WINDOW))}")
        return 0
    scheduled = {"version": "0", "id": "make-tick", "detail-type": "Scheduled Event", "source": "aws.events",
                 "account": "000000000000", "time": now.isoformat(), "region": env.get("AWS_REGION", "us-east-1"),
                 "resources": ["arn:aws:events:local:000000000000:rule/scheduler"], "detail": {}}
    summary = app.handler_map["scheduler"](scheduled, LambdaContext("scheduler", timeout_seconds=300))
    print(f"scheduler ran as of {now.isoformat()}: {json.dumps(summary)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
