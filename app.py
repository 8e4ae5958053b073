"""Paydrop's Chalice app: wiring only. Features live under chalicelib/."""
from chalice import Chalice

from chalicelib.api import (
    access_logs,
    auth,
    business,
    claims,
    client_sign_in,
    clients,
    documents,
    files,
    health,
    invoice_page,
    products,
    projects,
    resources,
)

app = Chalice(app_name="paydrop")
app.debug = False  # never leak stack traces to callers

for blueprint in (health, auth, business, clients, products, projects, documents, resources, access_logs,
                  invoice_page, files, claims, client_sign_in):
    app.register_blueprint(blueprint.bp)
