"""Chalice blueprints: HTTP in, HTTP out. No business rules here."""
