"""`make dev`: moto on loopback, resources from infra/, demo data, the app, the event pump."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = Path(os.environ.get("PAYDROP_DEV_DIR", ROOT / ".dev"))
log = logging.getLogger("paydrop.dev")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    moto: Any
    app_server: Any
    checkout_server: Any
    pump: Any
    outbox: Any
    base_url: str
    demo: dict[str, Any]
    sweeper: Any = None

    def stop(self, within: float = 4.0) -> None:
        """Stop in two waves, each part in its own thread (each waits up to ~1 s for its loop to
        notice): what calls the local AWS first, then the servers it calls. At most `within` s."""
        deadline = time.monotonic() + within
        callers = [self.pump.stop, self.app_server.server.shutdown, self.checkout_server.server.shutdown]
        if self.sweeper is not None:
            callers.append(self.sweeper.stop)
        for wave in (callers, [self.outbox.shutdown, self.moto.stop]):
            threads = [threading.Thread(target=part, daemon=True, name="stop") for part in wave]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.outbox.server_close()


class TTLSweeper:
    """Deletes expired items (the table's TTL attribute) every `every` seconds, as DynamoDB does."""

    def __init__(self, every: float = 30.0) -> None:
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="ttl-sweeper")

    def start(self) -> TTLSweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        from devstack.moto_atomic import expire_items

        while not self._stop.wait(self._every):
            removed = expire_items(time.time())
            log.debug("TTL: %d expired items deleted", removed)


def start_moto(port: int, verbose: bool = False) -> tuple[Any, str]:
    from moto.server import ThreadedMotoServer

    from devstack.moto_atomic import cheap_transactions, partition_queries, serialise_backends

    partition_queries()
    cheap_transactions()  # first: the lock below then wraps the cheaper transaction
    serialise_backends()  # DynamoDB, SQS and S3 calls one at a time, reads included
    # moto's werkzeug server logs every request (each queue poll, twice a second): quiet unless -v.
    logging.getLogger("werkzeug").setLevel(logging.DEBUG if verbose else logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"


def configure_environment(env: dict[str, str], base_url: str) -> None:
    """Point this process (settings, clients, models) at the local stack."""
    from chalicelib.aws import reset_clients
    from chalicelib.config import reset_settings
    from chalicelib.store.table import reset_connections

    os.environ.update(env)
    os.environ["PUBLIC_BASE_URL"] = base_url
    reset_settings()
    reset_clients()
    reset_connections()


def start_app_server(port: int) -> Any:
    from chalice.local import create_local_server

    from app import app
    from devstack.local_auth import gateway_responses_as_in_the_cloud
    from devstack.local_threads import requests_per_thread

    gateway_responses_as_in_the_cloud()  # refusals answered as API Gateway's GatewayResponses
    requests_per_thread(app)  # the local server handles each request on its own thread
    server = create_local_server(app, _local_config(app), "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True, name="app-server").start()
    return server


def start_checkout_server(app_server: Any, port: int) -> Any:
    """The same app on a second port, where Pay sends the client to the offline checkout.
    (`create_local_server` rewires the app's class and refuses a second call: reuse the app.)"""
    from chalice.local import LocalDevServer

    server = LocalDevServer(app_server.app_object, _local_config(app_server.app_object), "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True, name="checkout-server").start()
    return server


def _local_config(app: Any) -> Any:
    from chalice.config import Config

    config_file = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return Config.create(chalice_stage="dev", app_name="paydrop", chalice_app=app, config_from_disk=config_file)


def start_pump(resources: Any) -> Any:
    from app import app
    from chalicelib.aws import sqs
    from devstack.pump import EventPump, sqs_bindings

    pump = EventPump(sqs(), sqs_bindings(app, resources.queue_urls(), sqs()))
    pump.start()
    return pump


def demo_links(base_url: str, demo: Any, resources: Any, outbox_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "health_url": f"{base_url}/health",
        "api_url": f"{base_url}/api/v1",
        "staff_email": demo.staff_email,
        "staff_password": demo.staff_password,
        "invoice_share_url": f"{base_url}/invoice/{demo.share_token}",
        "claim_url": f"{base_url}/claim/{demo.claim_token}",
        "portal_url": f"{base_url}/portal/{demo.portal_token}",
        "dashboard_url": f"{base_url}/app/",
        "email_preferences_url": f"{base_url}/email-preferences/{demo.preferences_token}",
        "client_sign_in_url": f"{base_url}/signin/{demo.business_id}",
        "business_id": demo.business_id,
        "sent_invoice_id": demo.sent_invoice_id,
        "draft_invoice_id": demo.draft_invoice_id,
        "aws_endpoint_url": resources.endpoint_url,
        "user_pool_id": resources.user_pool_id,
        "user_pool_client_id": resources.user_pool_client_id,
        "outbox_url": outbox_url,
        "offline_checkout_url": os.environ.get("OFFLINE_CHECKOUT_URL", ""),
        "stripe_webhook_secret": resources.stripe_webhook_secret,
        "stripe_webhook_url": f"{base_url}/webhooks/stripe",
        "deliverable_portal_url": (f"{base_url}/portal/{demo.portal_token}/projects/{demo.approval_project_id}"
                                   f"/deliverables/{demo.deliverable_id}"),
        "staff_approvals_url": f"{base_url}/app/#/approvals",
        "register_url": f"{base_url}{demo.registration_path}" if demo.registration_path else "",
        "recurring_url": f"{base_url}/portal/{demo.portal_token}/recurring/{demo.recurring_id}",
        # The seed's activity (devstack/seed.py `_seed_notifications`): lists now, digests in the outbox ~5 minutes on.
        "portal_notifications_url": f"{base_url}/portal/{demo.portal_token}/notifications",
        "staff_notifications_url": f"{base_url}/app/#/notifications",
        "portal_messages_url": f"{base_url}/portal/{demo.portal_token}/messages",
        "inbox_url": f"{base_url}/app/#/inbox/{demo.conversation_id}",
        "project_portal_url": f"{base_url}/portal/{demo.portal_token}/projects/{demo.project_id}",
        "staff_project_url": f"{base_url}/app/#/projects/{demo.project_id}",
        "subscription_url": (f"{base_url}/portal/{demo.portal_token}/subscriptions/{demo.subscription_id}"
                             if demo.subscription_id else ""),
        "buy_url": f"{base_url}{demo.buy_path}" if getattr(demo, "buy_path", "") else "",  # issue 16: buy links
        # The outbox's page of webhook deliveries received (signature verified, deduped by event id).
        "webhook_inbox_url": f"{outbox_url.rstrip('/')}/webhooks",
        "developers_url": f"{base_url}/app/#/developers",
    }


def webhook_receiver(outbox: Any) -> str:
    """The outbox's webhook receiver: the one loopback URL the local app may deliver webhooks to."""
    from devstack.outbox import outbox_url

    return f"{outbox_url(outbox).rstrip('/')}/webhooks"


def checkout_origin(port: int) -> str:
    """The offline checkout's origin: another host name and port than the app's
    (`127.0.0.1`), so Pay leaves the app's origin — and its CSP `form-action` — as it does
    for Stripe's checkout. `localhost` always resolves to this machine."""
    return f"http://localhost:{port}"


def start(port: int, moto_port: int = 0, outbox_port: int = 0, checkout_port: int = 0, verbose: bool = False) -> Stack:
    """Start the whole local stack in this process and return it (tests use this too)."""
    from devstack.outbox import outbox_url, start_outbox_server
    from devstack.provision import provision
    from devstack.seed import seed

    moto, endpoint = start_moto(moto_port or free_port(), verbose)
    resources = provision(endpoint, stack_name="paydrop-dev")
    base_url = f"http://127.0.0.1:{port}"
    checkout_port = checkout_port or free_port()
    outbox = start_outbox_server(outbox_port)  # 0: the OS picks a free port; first: the seed names its receiver
    env = {**resources.as_env("dev"), "OFFLINE_CHECKOUT_URL": checkout_origin(checkout_port),
           "WEBHOOKS_DEV_RECEIVER": webhook_receiver(outbox)}
    configure_environment(env, base_url)
    demo = seed(webhook_url=env["WEBHOOKS_DEV_RECEIVER"])
    app_server = start_app_server(port)
    # The same app serves the offline checkout on its own origin (only that page is linked there).
    checkout_server = start_checkout_server(app_server, checkout_port)
    pump = start_pump(resources)
    links = demo_links(base_url, demo, resources, outbox_url(outbox))
    DEV_DIR.mkdir(exist_ok=True)
    (DEV_DIR / "demo.json").write_text(json.dumps(links, indent=2) + "\n")
    # What `make tick` (devstack/tick.py) needs to run the scheduler on this stack from another process.
    (DEV_DIR / "env.json").write_text(json.dumps({**env, "PUBLIC_BASE_URL": base_url}, indent=2) + "\n")
    return Stack(moto, app_server, checkout_server, pump, outbox, base_url, links, TTLSweeper().start())


def configure_logging(verbose: bool) -> None:
    """Quiet by default: what starts, warnings and errors. `-v`: every request to the local AWS
    (each queue poll) and every poll's outcome too."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Set on the children: Chalice sets the app's own `paydrop` logger to ERROR when the app loads.
    for name in ("paydrop.pump", "paydrop.dev"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        from chalice.local import ChaliceRequestHandler

        # One line per request to the app buries the links too; errors are still logged.
        ChaliceRequestHandler.log_request = lambda *_args, **_kwargs: None  # type: ignore[method-assign]


def print_links(links: dict[str, Any]) -> None:
    print(
        "\nPaydrop is running locally.\n"
        f"  App:            {links['base_url']}  (health: {links['health_url']})\n"
        f"  Dashboard:      {links['dashboard_url']}\n"
        f"  Staff sign-in:  {links['staff_email']} / {links['staff_password']}\n"
        f"  Invoice link:   {links['invoice_share_url']}\n"
        f"  Claim link:     {links['claim_url']}\n"
        f"  Client portal:  {links['portal_url']}  (Ada; email preferences: {links['email_preferences_url']})\n"
        f"  Client sign-in: {links['client_sign_in_url']}  (ada@acme.example; the link arrives in the outbox)\n"
        f"  Local AWS:      {links['aws_endpoint_url']}\n"
        f"  Outbox (email): {links['outbox_url']}\n"
        f"  Webhooks:       {links['webhook_inbox_url']}  (what the demo's endpoint received, signatures checked)\n"
        f"  Stripe webhook: {links['stripe_webhook_url']}  (signing secret {links['stripe_webhook_secret']})\n"
        f"  Test checkout:  {links['offline_checkout_url']}  (Pay opens it there: another origin, like Stripe's)\n"
        f"  Links saved to: {DEV_DIR / 'demo.json'}\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack", description="Paydrop's whole stack on this machine.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every queue poll and local AWS request")
    args = parser.parse_args()
    configure_logging(args.verbose)
    if not args.verbose:  # the app's own INFO lines (a view recorded, an email sent) only with -v
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        # and no EMF metric lines (a preview made, an email sent): they are for CloudWatch, not this terminal
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    # Ctrl-C and SIGTERM set an event rather than raise into whichever frame runs: the stop
    # below then always runs, and works even when the shell started us with SIGINT ignored.
    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    port = int(os.environ.get("PORT", "8000"))
    stack = start(port, int(os.environ.get("MOTO_PORT", "0")), int(os.environ.get("OUTBOX_PORT", "0")),
                  int(os.environ.get("CHECKOUT_PORT", "0")), verbose=args.verbose)
    print_links(stack.demo)
    while not done.wait(1):  # a timed wait: signal handlers run between the waits
        pass
    print("Stopping…", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    logging.shutdown()
    # Skip tearing down the in-memory AWS object by object (minutes for a day's data): the
    # servers are closed and nothing is left to flush.
    os._exit(0)
