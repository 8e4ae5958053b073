"""Secrets come from the environment locally and from SSM Parameter Store (SecureString) in Lambda."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from chalicelib import secrets
from chalicelib.config import reset_settings, settings
from chalicelib.domain.errors import Unavailable

_serial = itertools.count(1)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Environment changes seen by `settings()`, undone (and forgotten) after the test."""
    reset_settings()
    secrets.reset_secrets()
    yield monkeypatch
    monkeypatch.undo()
    reset_settings()
    secrets.reset_secrets()


@pytest.fixture
def in_lambda(aws: Any, fresh: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """`chalicelib.secrets` believes it runs in Lambda; everything else (X-Ray, clients) does not."""
    lambda_settings = replace(settings(), in_lambda=True)
    fresh.setattr(secrets, "settings", lambda: lambda_settings)
    return fresh


def _put(name: str, value: str) -> str:
    from chalicelib.aws import client

    path = f"/paydrop/{settings().stage}/{name}"
    client("ssm").put_parameter(Name=path, Value=value, Type="SecureString")
    return path


def _unique(name: str) -> str:
    return f"{name}-{next(_serial)}"


def test_a_secret_in_the_environment_is_used(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", "sk_test_local")
    reset_settings()
    assert secrets.secret("stripe-secret-key") == "sk_test_local"


def test_the_environment_wins_over_ssm_even_in_lambda(in_lambda: pytest.MonkeyPatch) -> None:
    name = _unique("stripe-secret-key")
    _put(name, "from-ssm")
    in_lambda.setattr(secrets, "settings", lambda: replace(settings(), in_lambda=True, local_secrets={name: "from-env"}))
    assert secrets.secret(name) == "from-env"


def test_a_missing_secret_outside_lambda_is_unavailable_and_names_the_variable(fresh: pytest.MonkeyPatch) -> None:
    fresh.delenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", raising=False)
    reset_settings()
    with pytest.raises(Unavailable, match="PAYDROP_SECRET_STRIPE_SECRET_KEY"):
        secrets.secret("stripe-secret-key")


def test_an_empty_environment_secret_counts_as_missing(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("PAYDROP_SECRET_STRIPE_SECRET_KEY", "  ")
    reset_settings()
    with pytest.raises(Unavailable):
        secrets.secret("stripe-secret-key")


def test_secrets_stay_out_of_the_settings_repr(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("PAYDROP_SECRET_SESSION_SIGNING_KEY", "do-not-print-me")
    reset_settings()
    assert settings().local_secrets["session-signing-key"] == "do-not-print-me"
    assert "do-not-print-me" not in repr(settings())
    assert not any(value in repr(settings()) for value in settings().local_secrets.values())


def test_in_lambda_a_secure_string_is_read_from_ssm_decrypted(in_lambda: pytest.MonkeyPatch) -> None:
    name = _unique("session-signing-key")
    _put(name, "s3cret-from-parameter-store")
    assert secrets.secret(name) == "s3cret-from-parameter-store"


def test_in_lambda_the_parameter_is_fetched_once_per_container(in_lambda: pytest.MonkeyPatch) -> None:
    from chalicelib.aws import client

    name = _unique("stripe-secret-key")
    path = _put(name, "sk_live_cached")
    assert secrets.secret(name) == "sk_live_cached"
    client("ssm").delete_parameter(Name=path)
    assert secrets.secret(name) == "sk_live_cached"
    secrets.reset_secrets()
    with pytest.raises(Unavailable):
        secrets.secret(name)


def test_in_lambda_a_missing_parameter_is_unavailable_naming_it(in_lambda: pytest.MonkeyPatch) -> None:
    name = _unique("not-there")
    with pytest.raises(Unavailable) as raised:
        secrets.secret(name)
    assert f"/paydrop/{settings().stage}/{name}" in raised.value.message


def test_in_lambda_a_failure_is_not_cached(in_lambda: pytest.MonkeyPatch) -> None:
    name = _unique("stripe-secret-key")
    with pytest.raises(Unavailable):
        secrets.secret(name)
    _put(name, "arrived-later")
    assert secrets.secret(name) == "arrived-later"


def test_in_lambda_a_rotated_secret_is_picked_up_after_the_ttl_and_not_before(
        in_lambda: pytest.MonkeyPatch) -> None:
    """Powertools Parameters caches on the wall clock, so this waits for a 1-second TTL to run out."""
    import time

    from chalicelib.aws import client

    in_lambda.setattr(secrets, "settings", lambda: replace(settings(), in_lambda=True, secret_ttl_seconds=1))
    name = _unique("stripe-secret-key")
    path = _put(name, "before-rotation")
    read_at = time.monotonic()
    assert secrets.secret(name) == "before-rotation"
    client("ssm").put_parameter(Name=path, Value="after-rotation", Type="SecureString", Overwrite=True)
    if time.monotonic() - read_at < 0.8:
        assert secrets.secret(name) == "before-rotation"
    time.sleep(1.1)
    assert secrets.secret(name) == "after-rotation"


def test_the_secret_ttl_is_five_minutes_unless_configured(fresh: pytest.MonkeyPatch) -> None:
    assert settings().secret_ttl_seconds == 300
    fresh.setenv("SECRET_TTL_SECONDS", "60")
    reset_settings()
    assert settings().secret_ttl_seconds == 60
