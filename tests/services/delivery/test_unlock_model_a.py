"""Unlock after payment against a reference model: half one of the 500 random histories
(tests/support/unlock_model.py; two modules so both test workers share the work)."""
from __future__ import annotations

import os
from typing import Any

from tests.conftest import Tenant
from tests.support.unlock_model import EXAMPLES, make_world, run_model


def test_unlock_after_payment_follows_the_model(tenant: Tenant, anonymous: Any) -> None:
    run_model(make_world(tenant, anonymous), int(os.environ.get("MODEL_EXAMPLES", EXAMPLES // 2)))
