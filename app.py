"""Paydrop's Chalice app: wiring only. Features live under chalicelib/."""
from typing import Any

from chalice import Chalice

from chalicelib.api import (
    access_logs,
    auth,
    business,
    checkout,
    claims,
    client_sign_in,
    clients,
    dashboard,
    email_preferences,
    files,
    health,
    invoice_page,
    invoices,
    limits,
    payments,
    pdfs,
    portal,
    products,
    projects,
    quotes,
    resources,
    webhooks,
)

app = Chalice(app_name="paydrop")
app.debug = False  # never leak stack traces to callers

for blueprint in (health, auth, business, clients, products, projects, invoices, quotes, resources, access_logs,
                  invoice_page, files, claims, client_sign_in, checkout, webhooks, payments, portal, pdfs,
                  email_preferences, limits, dashboard):
    app.register_blueprint(blueprint.bp)


@app.on_sqs_message(queue="stripe-events", batch_size=1, name="payments_worker")
def payments_worker(event: Any) -> None:
    from chalicelib.workers import payments  # workers import their modules when they run: the API's cold start stays lean

    payments.on_stripe_event(event)


@app.on_sqs_message(queue="mail", batch_size=1, name="mail_worker")
def mail_worker(event: Any) -> None:
    from chalicelib.workers import mail

    mail.on_mail(event)


@app.on_sqs_message(queue="uploads", batch_size=1, name="previews_worker")
def previews_worker(event: Any) -> None:
    from chalicelib.workers import previews

    previews.on_upload(event)


@app.on_sqs_message(queue="views", batch_size=1, name="views_worker")
def views_worker(event: Any) -> None:
    from chalicelib.workers import views

    views.on_view(event)


@app.on_sqs_message(queue="exports", batch_size=1, name="exports_worker")
def exports_worker(event: Any) -> None:
    from chalicelib.workers import exports

    exports.on_export(event)
