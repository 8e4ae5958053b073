"""Tokens: entropy, storage form, comparison and the cheap shape check."""

from __future__ import annotations

import base64
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.tokens import looks_like_token, new_id, new_token, same_token, token_hash

SETTINGS = settings(max_examples=200, deadline=None)
URL_SAFE = string.ascii_letters + string.digits + "-_"
url_safe_tokens = st.text(alphabet=URL_SAFE, min_size=43, max_size=128)


def test_new_token_has_at_least_256_bits() -> None:
    token = new_token()
    assert len(token) >= 43
    assert set(token) <= set(URL_SAFE)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) >= 32


def test_new_tokens_differ() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000


def test_new_token_passes_the_shape_check() -> None:
    for _ in range(100):
        assert looks_like_token(new_token())


def test_new_ids_differ() -> None:
    assert len({new_id() for _ in range(1000)}) == 1000


def test_token_hash_is_sha256_hex() -> None:
    # SHA-256("abc"), the FIPS 180-2 test vector
    assert token_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    digest = token_hash(new_token())
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


@SETTINGS
@given(url_safe_tokens)
def test_token_hash_never_equals_the_token(token: str) -> None:
    digest = token_hash(token)
    assert digest != token
    assert token not in digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert token_hash(token) == digest  # stable


def test_same_token_matches_only_the_token_behind_the_hash() -> None:
    token = new_token()
    stored = token_hash(token)
    assert same_token(token, stored) is True
    assert same_token(new_token(), stored) is False
    assert same_token(token[:-1], stored) is False
    assert same_token(token + "A", stored) is False
    assert same_token(stored, stored) is False  # the hash itself is not the token
    assert same_token(token, stored.upper()) is False
    assert same_token(token, "") is False


@SETTINGS
@given(url_safe_tokens, url_safe_tokens)
def test_same_token_property(a: str, b: str) -> None:
    assert same_token(a, token_hash(a))
    assert same_token(b, token_hash(a)) == (a == b)


@pytest.mark.parametrize("token", ["", "a", "abc123", "A" * 19])
def test_short_tokens_are_refused(token: str) -> None:
    assert looks_like_token(token) is False


def test_long_tokens_are_refused() -> None:
    assert looks_like_token("A" * 128) is True
    assert looks_like_token("A" * 129) is False
    assert looks_like_token("A" * 10_000) is False


@pytest.mark.parametrize("bad", ["/", ".", "%", " ", "+", "=", "\n", "\t", "\x00", "'", '"', "<", "?", "#", "&", "\\"])
def test_tokens_with_other_characters_are_refused(bad: str) -> None:
    token = new_token()
    for position in (0, len(token) // 2, len(token) - 1):
        assert looks_like_token(token[:position] + bad + token[position + 1 :]) is False


def test_path_traversal_and_encoded_tokens_are_refused() -> None:
    assert looks_like_token("../../../../etc/passwd/aaaaaaaaaaa") is False
    assert looks_like_token("%2e%2e%2f" * 5) is False
    assert looks_like_token(new_token() + " ") is False


@pytest.mark.parametrize("bad", ["é", "²", "٣", "Ａ", "ß"])
def test_tokens_with_non_ascii_letters_are_refused(bad: str) -> None:
    assert looks_like_token(new_token()[:-1] + bad) is False


@SETTINGS
@given(url_safe_tokens)
def test_url_safe_tokens_of_sane_length_pass(token: str) -> None:
    assert looks_like_token(token) is True
