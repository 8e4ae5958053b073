"""Who a staff request acts for: the verified token's user, business and permissions."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member a request acts for."""

    user_id: str
    email: str
    business_id: str
    groups: tuple[str, ...]
    permissions: frozenset[str]

    def require(self, permission: str) -> None:
        """Raise `Forbidden` unless the principal's roles grant `permission`."""
        if permission not in self.permissions:
            raise Forbidden(f"Your role does not allow this ({permission}).")
