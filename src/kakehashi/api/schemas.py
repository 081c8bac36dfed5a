"""Shared response schemas for the API."""

from ninja import Schema


class Error(Schema):
    detail: str
