"""Errors raised by services and selectors; views, the API and the CLI turn them into responses in one place."""


class LoaError(Exception):
    """Base: carries a Vietnamese message meant for the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(LoaError):
    status = 400


class NotFound(LoaError):
    status = 404


class Forbidden(LoaError):
    status = 403
