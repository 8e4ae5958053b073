"""The layouts of an invoice or quote PDF and of a statement PDF, from the content
`services/billing/pdfs.py` builds (the page's own view, so the PDF says what the page says)."""
from __future__ import annotations

from typing import Any

from chalicelib.domain import invoices as rules
from chalicelib.services.billing.pdf_kit import BOLD, FONT, Kit


def _payment_words(p: dict[str, Any]) -> str:
    """The page's words for a ledger entry (invoice.html)."""
    amount = p["amount"]["display"]
    if p["kind"] == "refund":
        words = f"Refunded {amount}"
    elif p["kind"] == "credit":
        words = f"Credit of {amount} applied"
    elif p["kind"] == "dispute":
        words = f"Disputed {amount} ({p['dispute_status']})"
    else:
        words = f"{amount} received"
    words += f" on {p['received_on']}"
    if p["kind"] == "payment":
        words += f" ({'card' if p['method'] == 'stripe' else str(p['method']).replace('_', ' ')})"
    return words


def render_document(content: dict[str, Any], paper: str = "A4", logo: bytes | None = None) -> bytes:
    """An invoice or quote as PDF bytes, from `document_content` (the page's view)."""
    from reportlab.platypus import Spacer

    label, business, invoice = content["label"], content["business"], content["invoice"]
    title = f"{label} {invoice['number']}"
    kit = Kit(business, paper, logo, title, title)
    story: list[Any] = [
        kit.header(invoice["status"]), Spacer(1, 12), kit.facts(_document_facts(label, invoice)), Spacer(1, 8),
        _parties(kit, business, invoice["bill_to"]), Spacer(1, 10), _lines_table(kit, invoice),
        *_totals_block(kit, invoice), *_closing_notes(kit, invoice),
    ]
    return kit.build(story)


def _document_facts(label: str, invoice: dict[str, Any]) -> list[tuple[str, str]]:
    facts = [(f"{label} number", invoice["number"]), ("Issued", invoice["issue_date"])]
    if invoice["due_date"]:
        facts.append(("Due", invoice["due_date"]))
    if invoice["po_number"]:
        facts.append(("PO number", invoice["po_number"]))
    if invoice["status"] != rules.CANCELLED:
        facts.append(("Amount due", invoice["balance"]["display"]))
    return facts


def _parties(kit: Kit, business: dict[str, Any], bill_to: dict[str, Any]) -> Any:
    return kit.two_columns(
        kit.block("Bill to", [bill_to["name"], bill_to["address"], bill_to["email"],
                              f"Tax no. {bill_to['tax_number']}" if bill_to["tax_number"] else None]),
        kit.block("From", [business["name"], business["address"], business["email"], business["phone"],
                           f"Tax no. {business['tax_number']}" if business["tax_number"] else None]))


def _lines_table(kit: Kit, invoice: dict[str, Any]) -> Any:
    numbers = [50.0, 85.0, 45.0, 90.0]
    description_width = kit.width - sum(numbers)
    rows: list[list[Any]] = [["Item", "Qty", "Unit price", "Tax", "Amount before\ndiscount & tax"]]
    for line in invoice["lines"]:
        text = line["description"]
        if line["discount_percent"] != "0":
            text += f" (−{line['discount_percent']}\u00a0%)"  # no break inside "10 %"
        rows.append([kit.cell_text(text, description_width), line["quantity"], line["unit_price"]["display"],
                     f"{line['tax_rate_percent']} %", line["amount"]["display"]])
    return kit.grid(rows, [description_width, *numbers], numeric_from=1)


def _totals_block(kit: Kit, invoice: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    # The page's rows (domain/figures.py via the view): the same labels and signs, so they add up.
    totals = [(row["label"], row["display"]) for row in invoice["rows"]]
    grand = next(i for i, row in enumerate(invoice["rows"]) if row["key"] == "total")
    table = Table(totals, colWidths=[100, 120], hAlign="RIGHT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONT", (0, grand), (-1, grand), BOLD, 9), ("LINEABOVE", (0, grand), (-1, grand), 0.5, kit.rule),
        ("FONT", (0, -1), (-1, -1), BOLD, 11), ("TEXTCOLOR", (0, -1), (-1, -1), kit.ink),
        ("LINEABOVE", (0, -1), (-1, -1), 1, kit.brand), ("TOPPADDING", (0, -1), (-1, -1), 5),
    ]))
    return [Spacer(1, 6), KeepTogether([table])]


def _closing_notes(kit: Kit, invoice: dict[str, Any]) -> list[Any]:
    story: list[Any] = []
    if invoice["payments"]:
        story.append(kit.text("Payments", kit.h2))
        story += [kit.text(f"• {_payment_words(p)}") for p in invoice["payments"]]
    if invoice["notes"]:
        story += [kit.text("Notes", kit.h2), kit.text(invoice["notes"])]
    if invoice["terms"]:
        story += [kit.text("Terms", kit.h2), kit.text(invoice["terms"])]
    return story


def render_statement(content: dict[str, Any], paper: str = "A4", logo: bytes | None = None) -> bytes:
    """A statement of account as PDF bytes, from `statement_content`."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

    business, client = content["business"], content["client"]
    period = f"{content['from']} to {content['to']}"
    kit = Kit(business, paper, logo, f"Statement for {client['name']}", f"Statement {period}")
    story: list[Any] = [
        kit.header(None), Spacer(1, 12),
        kit.facts([("Period", period),
                   (f"Balance at {content['to']}", " + ".join(s["closing"] for s in content["sections"]))]),
        Spacer(1, 8),
        kit.two_columns(
            kit.block("Statement for", [client["name"], client["address"], client["email"],
                                        f"Tax no. {client['tax_number']}" if client["tax_number"] else None]),
            kit.block("From", [business["name"], business["address"], business["email"], business["phone"],
                               f"Tax no. {business['tax_number']}" if business["tax_number"] else None])),
    ]
    numbers = [85.0, 85.0, 90.0]
    date_width = 62.0
    description_width = kit.width - date_width - sum(numbers)
    # Not keep-with-next: that keeps the heading with the whole (many-page) table and starts it on
    # a new page, leaving the first page empty; a conditional break keeps it with its first rows.
    heading = ParagraphStyle("h2-lead", parent=kit.h2, keepWithNext=0)
    for section in content["sections"]:
        story += [CondPageBreak(80), kit.text(f"Account in {section['currency']}", heading)]
        rows: list[list[Any]] = [["Date", "Description", "Debit", "Credit", "Balance"],
                                 [content["from"], "Opening balance", "", "", section["opening"]]]
        rows += [[line["on"], kit.cell_text(line["description"], description_width), line["debit"], line["credit"],
                  line["balance"]] for line in section["lines"]]
        rows.append([content["to"], "Closing balance", "", "", section["closing"]])
        story.append(kit.long_grid(rows, [date_width, description_width, *numbers], numeric_from=2, totals_rows=1))
        ageing_rows = [["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days", "Total open"],
                       [*section["ageing"], section["open_total"]]]
        ageing = kit.grid(ageing_rows, [kit.width / 6] * 6, numeric_from=0)
        story.append(KeepTogether([kit.text(f"Open invoices at {content['to']}, by days past due", kit.h2), ageing]))
    return kit.build(story)
