"""Shared schemas and field types for the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict


class Input(BaseModel):
    """The base of every request body and query: a plain pydantic model that refuses
    unknown fields (``ninja.Schema`` would take a bare string for an object)."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    detail: str


class Refusal(Schema):
    """A refused request: the reason in the request's language and, for a refused
    action, the class of the refusal (``ConcurrentChange``, ``TransitionNotAllowed``,
    ``NotPermitted``, ``GuardFailed``, ``InvalidInput``). Malformed input carries the
    validator's list of errors instead, without a code."""

    detail: str | list[dict[str, Any]]
    code: str | None = None


def _in_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


# An instant as the API publishes it: ISO 8601 in UTC, whatever zone it was stored in.
UtcInstant = Annotated[datetime, AfterValidator(_in_utc)]


class FieldRefusal(Refusal):
    """Input refused field by field: ``detail`` sums it up and ``errors`` maps each
    refused field to its message, in the request's language."""

    errors: dict[str, str] = {}
