"""Invoice lines for domain tests: one line by hand, or any valid line from hypothesis."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from chalicelib.domain.invoices import (
    Line,
)


def line(quantity: str | int, unit_price: int, tax_bp: int = 0, discount_bp: int = 0) -> Line:
    return Line(
        description="item",
        quantity=Decimal(quantity),
        unit_price=unit_price,
        tax_rate_bp=tax_bp,
        discount_bp=discount_bp,
    )


quantities = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal(1_000_000), places=4, allow_nan=False, allow_infinity=False
)


basis_points = st.integers(min_value=0, max_value=10_000)


@st.composite
def lines_strategy(draw: st.DrawFn, max_price: int = 10**7, max_quantity: Decimal = Decimal(1_000_000)) -> Line:
    return Line(
        description=draw(st.text(max_size=20)),
        quantity=draw(st.decimals(min_value=Decimal("0.0001"), max_value=max_quantity, places=4)),
        unit_price=draw(st.integers(min_value=0, max_value=max_price)),
        tax_rate_bp=draw(basis_points),
        discount_bp=draw(basis_points),
    )
