"""Buy links (staff): `/api/v1/buy-links` list/create, `/{link_id}` get/update/delete,
`/{link_id}/pause` and `/{link_id}/resume`. Each answer carries the page's `url`."""
from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint

from chalicelib.api import present
from chalicelib.api.http import body, json_response, listed, staff_route
from chalicelib.api.urls import absolute_url
from chalicelib.domain.buy_link_inputs import BuyLinkInput, BuyLinkUpdate
from chalicelib.domain.permissions import MANAGE_PRODUCTS, VIEW
from chalicelib.domain.principal import Principal
from chalicelib.services.selling import links

bp = Blueprint(__name__)

FIELDS = ("link_id", "title", "description", "product_ids", "mode", "interval", "adjustable_quantity",
          "allow_promotion_codes", "paused", "created_at", "updated_at")


def shown(link: Any) -> dict[str, Any]:
    optional = {name: int(getattr(link, name)) if getattr(link, name) is not None else None
                for name in ("stock", "per_buyer_limit")}
    return {
        **present.attributes(link, FIELDS), **optional, "product_ids": list(link.product_ids),
        "min_quantity": int(link.min_quantity), "max_quantity": int(link.max_quantity), "sold": int(link.sold or 0),
        "expires_at": link.ends_at, "state": links.state_of(link),
        "url": absolute_url(bp.current_request, f"/buy/{link.token}"),
    }


@staff_route(bp, "/api/v1/buy-links", VIEW)
def list_links(principal: Principal) -> Any:
    return listed(bp.current_request, partial(links.list_links, principal), shown)


@staff_route(bp, "/api/v1/buy-links", MANAGE_PRODUCTS, methods=["POST"])
def create_link(principal: Principal) -> Any:
    return json_response(shown(links.create_link(principal, body(bp, BuyLinkInput))), 201)


@staff_route(bp, "/api/v1/buy-links/{link_id}", VIEW)
def get_link(principal: Principal, link_id: str) -> Any:
    return json_response(shown(links.get_link(principal, link_id)))


@staff_route(bp, "/api/v1/buy-links/{link_id}", MANAGE_PRODUCTS, methods=["PATCH"])
def update_link(principal: Principal, link_id: str) -> Any:
    return json_response(shown(links.update_link(principal, link_id, body(bp, BuyLinkUpdate))))


@staff_route(bp, "/api/v1/buy-links/{link_id}", MANAGE_PRODUCTS, methods=["DELETE"])
def delete_link(principal: Principal, link_id: str) -> Any:
    links.delete_link(principal, link_id)
    return json_response({"deleted": True})


@staff_route(bp, "/api/v1/buy-links/{link_id}/pause", MANAGE_PRODUCTS, methods=["POST"])
def pause_link(principal: Principal, link_id: str) -> Any:
    return json_response(shown(links.set_paused(principal, link_id, True)))


@staff_route(bp, "/api/v1/buy-links/{link_id}/resume", MANAGE_PRODUCTS, methods=["POST"])
def resume_link(principal: Principal, link_id: str) -> Any:
    return json_response(shown(links.set_paused(principal, link_id, False)))
