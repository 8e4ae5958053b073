"""Products (and services) a business sells."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.businesses import business_pk
from chalicelib.store.table import BaseItem, decode_cursor, encode_cursor


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
    pk = business_pk(business_id)
    results = Product.query(
        pk, Product.sk.startswith("PRODUCT#"),
        limit=limit, page_size=limit, last_evaluated_key=decode_cursor(cursor, pk, "PRODUCT#"),
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key)
