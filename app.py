"""Paydrop's Chalice app: wiring only. Features live under chalicelib/."""
from chalice import Chalice

from chalicelib.api import auth, business, clients, documents, files, health, invoice_page, products, resources

app = Chalice(app_name="paydrop")
app.debug = False  # never leak stack traces to callers

for blueprint in (health, auth, business, clients, products, documents, resources, invoice_page, files):
    app.register_blueprint(blueprint.bp)
