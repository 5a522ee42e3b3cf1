"""Errors that services raise; the web layer turns each into one HTTP status and a message."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ServiceError):
    """One or more fields are wrong. ``fields`` maps each field name to a message about it."""

    status_code = 422

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{name}: {text}" for name, text in fields.items()))
        self.fields = fields


class BadRequest(ServiceError):
    """The request as a whole cannot be read (unreadable or too deeply nested JSON)."""

    status_code = 400


class Forbidden(ServiceError):
    """The user is known and the thing exists, but this user may not see or do it now."""

    status_code = 403


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class TooManyAttempts(ServiceError):
    status_code = 429

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
