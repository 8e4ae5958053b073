"""Products and services."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.domain.inputs import ProductInput, ProductUpdate
from chalicelib.domain.permissions import MANAGE_PRODUCTS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.accounts import products

bp = Blueprint(__name__)


@staff_route(bp, "/api/v1/products", VIEW)
def list_products(principal: Principal) -> Any:
    return listed(bp.current_request, partial(products.list_products, principal), present.product)


@staff_route(bp, "/api/v1/products", MANAGE_PRODUCTS, methods=["POST"])
def create_product(principal: Principal) -> Any:
    return json_response(present.product(products.create_product(principal, body(bp, ProductInput))), 201)


@staff_route(bp, "/api/v1/products/{product_id}", VIEW)
def get_product(principal: Principal, product_id: str) -> Any:
    return json_response(present.product(products.get_product(principal, product_id)))


@staff_route(bp, "/api/v1/products/{product_id}", MANAGE_PRODUCTS, methods=["PATCH"])
def update_product(principal: Principal, product_id: str) -> Any:
    return json_response(present.product(products.update_product(principal, product_id, body(bp, ProductUpdate))))


@staff_route(bp, "/api/v1/products/{product_id}", MANAGE_PRODUCTS, methods=["DELETE"])
def delete_product(principal: Principal, product_id: str) -> Any:
    products.delete_product(principal, product_id)
    return json_response({"deleted": True})
