"""Products and services a business sells."""
from __future__ import annotations

from chalicelib import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.inputs import ProductInput, ProductUpdate
from chalicelib.domain.principal import Principal
from chalicelib.domain.tokens import new_id
from chalicelib.store import products as store
from chalicelib.store.table import delete_item, iso, save_new, update_item


def create_product(principal: Principal, data: ProductInput) -> store.Product:
    now = iso(clock.now())
    product = store.new_product(principal.business_id, new_id(), created_at=now, updated_at=now, **data.given())
    save_new(product)
    return product


def get_product(principal: Principal, product_id: str) -> store.Product:
    product = store.get_product(principal.business_id, product_id)
    if product is None:
        raise NotFound("Product not found.", field="product_id")
    return product


def update_product(principal: Principal, product_id: str, data: ProductUpdate) -> store.Product:
    product = get_product(principal, product_id)
    update_item(product, data.given(), iso(clock.now()))
    return product


def delete_product(principal: Principal, product_id: str) -> None:
    # Invoices keep a copy of each line, so deleting a product never changes them.
    delete_item(get_product(principal, product_id))


def list_products(principal: Principal, limit: int, cursor: str | None) -> tuple[list[store.Product], str | None]:
    return store.list_products(principal.business_id, limit, cursor)
