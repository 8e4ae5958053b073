from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.recurring import Made, templates


@pytest.fixture
def recurring(make_tenant: Any) -> Iterator[Callable[..., Made]]:
    yield from templates(make_tenant)
