"""Paydrop's Chalice app: wiring only. Features live under chalicelib/."""
from typing import Any

from chalice import Chalice, Rate

from chalicelib import observability
from chalicelib.api import (
    access_logs,
    approvals,
    auth,
    autocharge,
    business,
    buy_links,
    buy_page,
    checkout,
    claims,
    client_sign_in,
    clients,
    conversations,
    dashboard,
    developer,
    edge,
    email_preferences,
    email_previews,
    files,
    fresh_links,
    health,
    invoice_page,
    invoices,
    limits,
    messages,
    notifications,
    openapi,
    payments,
    pdfs,
    portal,
    portal_cards,
    portal_deliverables,
    portal_notifications,
    portal_projects,
    portal_subscriptions,
    products,
    projects,
    quotes,
    receipts,
    recurring,
    registration,
    resources,
    self_service,
    staff_authorizer,
    staff_preview,
    statement_emails,
    subscriptions,
    webhooks,
)

# debug off: never leak stack traces to callers. configure_logs=False: Chalice would set the `paydrop`
# logger to ERROR (so with debug off) and drop every INFO and WARNING line; chalicelib/logs.py sets it up.
app = Chalice(app_name="paydrop", debug=False, configure_logs=False)
app.register_middleware(observability.middleware, "all")  # logs, correlation id, metrics

# One blueprint a line: features added side by side merge without touching each other's lines.
BLUEPRINTS = (
    health, auth, business, clients, products, projects, invoices, quotes, resources, access_logs,
    invoice_page, files, claims, client_sign_in, checkout, webhooks, payments, portal, pdfs,
    email_preferences, limits, dashboard,
    approvals, portal_deliverables,  # issue 14: deliverables and approvals
    self_service, receipts, statement_emails, registration,  # issue 15: self-service
    portal_cards, autocharge,  # issue 15: saved cards, auto-charge, pre-payments
    recurring,  # issue 15: recurring invoices
    notifications, portal_notifications,  # issue 14: notification lists
    messages, conversations,  # issue 14: messaging (portal conversations, the staff inbox)
    staff_preview,  # issue 17: "Preview as client" (one-time preview links)
    fresh_links,  # issue 17: "Email me a fresh link" from dead-end pages
    portal_projects,  # issue 14: the portal's project page
    portal_subscriptions, subscriptions,  # issue 16: subscriptions
    buy_links, buy_page,  # issue 16: buy links
    developer, openapi,  # issue 16: webhooks, API keys, the OpenAPI document
)
for blueprint in BLUEPRINTS:
    app.register_blueprint(blueprint.bp)
app.register_blueprint(email_previews.bp)  # issue 17: email previews and the emails' logo address
app.register_blueprint(staff_authorizer.bp)  # issue 16: API Gateway's check of staff tokens and API keys

# Every route, health check and Stripe webhook included: only requests through CloudFront (with
# the origin secret) get in once a secret is configured; see chalicelib/api/edge.py.
app.register_middleware(edge.origin_guard, "http")


# Batches of up to 10 with partial batch responses (chalicelib/workers/batch.py): a failing message
# is retried alone. infra/resources.json adds FunctionResponseTypes: [ReportBatchItemFailures].
@app.on_sqs_message(queue="stripe-events", batch_size=10, name="payments_worker")
def payments_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import payments  # workers import their modules when they run: the API's cold start stays lean

    return payments.on_batch(event)


@app.on_sqs_message(queue="mail", batch_size=10, name="mail_worker")
def mail_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, mail

    return batch.handle(event, mail.on_mail)


# Smaller batches: one large PDF or photo can take seconds, and the function has 60 s for the batch.
@app.on_sqs_message(queue="uploads", batch_size=5, name="previews_worker")
def previews_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, previews

    return batch.handle(event, previews.on_upload)


@app.on_sqs_message(queue="views", batch_size=10, name="views_worker")
def views_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, views

    return batch.handle(event, views.on_view)


# SES bounces and complaints (SNS → SQS): the addresses they name get no more mail.
@app.on_sqs_message(queue="mail-feedback", batch_size=10, name="mail_feedback_worker")
def mail_feedback_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, mail_feedback

    return batch.handle(event, mail_feedback.on_feedback)


@app.schedule(Rate(1, unit=Rate.HOURS), name="scheduler")
def scheduler(event: Any) -> dict[str, Any]:
    from chalicelib.workers import schedule  # reminders, access expiry: see the module

    return schedule.on_tick(event)


# One export a batch: an access log of a million entries takes minutes (900 s timeout).
@app.on_sqs_message(queue="exports", batch_size=1, name="exports_worker")
def exports_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, exports

    return batch.handle(event, exports.on_export)


# Email replies to conversations: SES stores the mail in S3, whose notification reaches this queue.
@app.on_sqs_message(queue="inbound-mail", batch_size=10, name="inbound_mail_worker")
def inbound_mail_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, inbound_mail

    return batch.handle(event, inbound_mail.on_mail)


# Outbound webhooks: events fanned out to deliveries, each a signed POST retried with backoff (services/developer).
@app.on_sqs_message(queue="webhooks", batch_size=10, name="webhooks_worker")
def webhooks_worker(event: Any) -> dict[str, Any]:
    from chalicelib.workers import batch, webhooks

    return batch.handle(event, webhooks.on_message)
