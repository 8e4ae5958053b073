"""Products (and services) a business sells."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, query_page


class Product(BaseItem, discriminator="product"):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    unit_price = NumberAttribute()  # minor units of the business currency
    tax_rate_bp = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


def product_sk(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def new_product(business_id: str, product_id: str, **fields: Any) -> Product:
    return Product(business_pk(business_id), product_sk(product_id), product_id=product_id, **fields)


def get_product(business_id: str, product_id: str) -> Product | None:
    try:
        return Product.get(business_pk(business_id), product_sk(product_id))
    except Product.DoesNotExist:
        return None


def get_products(business_id: str, product_ids: set[str]) -> dict[str, Product]:
    """The products with these ids that belong to the business, in one BatchGet."""
    keys = [(business_pk(business_id), product_sk(pid)) for pid in product_ids]
    return {p.product_id: p for p in Product.batch_get(keys)} if keys else {}


def list_products(business_id: str, limit: int, cursor: str | None) -> tuple[list[Product], str | None]:
    return query_page(Product, business_pk(business_id), "PRODUCT#", limit, cursor)
