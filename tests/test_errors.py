from __future__ import annotations

from isptui.errors import (
    AuthFailed,
    BackendError,
    NotFound,
    RateLimited,
    ServerError,
    ValidationFailed,
    error_for_status,
)


def test_error_names_where_it_happened() -> None:
    err = NotFound("Customer 9 does not exist", method="GET", url="http://h/api/2.0/x/9", status=404)
    assert str(err) == "Customer 9 does not exist (GET http://h/api/2.0/x/9 -> 404)"
    assert err.title == "Not found"


def test_validation_error_keeps_field_messages() -> None:
    err = ValidationFailed("Invalid input", field_errors={"name": ("required",)}, status=422)
    assert err.field_errors == {"name": ["required"]}
    assert err.status == 422


def test_rate_limited_carries_retry_after() -> None:
    assert RateLimited("slow down", retry_after=3.0).retry_after == 3.0


def test_status_mapping() -> None:
    assert error_for_status(401) is AuthFailed
    assert error_for_status(422) is ValidationFailed
    assert error_for_status(503) is ServerError
    assert error_for_status(418) is BackendError
