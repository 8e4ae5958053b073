"""The layout of a receipt PDF, from the view `services/billing/receipts.py` builds (the page's
own view, so the PDF says what the page says)."""
from __future__ import annotations

from typing import Any

from chalicelib.services.billing.pdf_kit import Kit


def render_receipt(content: dict[str, Any], paper: str = "A4", logo: bytes | None = None) -> bytes:
    """A receipt as PDF bytes."""
    from reportlab.platypus import Spacer

    business, client, amount = content["business"], content["client"], content["amount"]["display"]
    invoices, prepaid = ", ".join(i["number"] for i in content["invoices"]), content.get("prepayment")
    kit = Kit(business, paper, logo, "Receipt for a pre-payment" if prepaid else f"Receipt for invoice {invoices}",
              "Receipt")
    facts = [("Paid on", content["paid_on"]), ("Amount", amount), ("Method", content["method"] or "—")]
    facts.append(("Held as credit", prepaid["credit_note"] or "—") if prepaid
                 else ("Balance still due", content["balance"]["display"]))
    story: list[Any] = [
        kit.header("refunded" if content["refunds"] else "paid"), Spacer(1, 12), kit.facts(facts), Spacer(1, 8),
        kit.two_columns(
            kit.block("Received from", [client["name"], client["address"], client["email"]]),
            kit.block("Received by", [business["name"], business["address"], business["email"], business["phone"],
                                      f"Tax no. {business['tax_number']}" if business["tax_number"] else None])),
        Spacer(1, 10),
    ]
    if content["invoices"]:
        rows: list[list[Any]] = [["Invoice", "Invoice total", "Paid now"]]
        rows += [[i["number"], i["total"]["display"], amount] for i in content["invoices"]]
        story.append(kit.grid(rows, [kit.width - 240, 120, 120], numeric_from=1))
    else:  # a pre-payment: paid in advance, held as credit for the client's invoices
        story.append(kit.text(f"Pre-payment of {amount}, held as credit for your invoices."))
    if content["reference"]:
        story += [kit.text("Reference", kit.h2), kit.text(content["reference"])]
    if content["refunds"]:
        story.append(kit.text("Refunds", kit.h2))
        story += [kit.text(f"• Refunded {r['amount']['display']} on {r['on']}") for r in content["refunds"]]
        story.append(kit.text(f"Kept after refunds: {content['kept']['display']}"))
    story += [Spacer(1, 10), kit.text(f"Thank you for your payment. Receipt {content['receipt_id']}.", kit.small)]
    return kit.build(story)
