"""Domain exceptions. The API maps each to one HTTP status in `api/http.py`."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; `code` is stable, `message` is readable."""

    code = "error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    code = "invalid"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class TooManyRequests(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency (identity provider, AWS) did not answer; the caller may retry."""

    code = "unavailable"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
