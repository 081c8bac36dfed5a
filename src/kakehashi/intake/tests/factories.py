"""Reports in the states the desk tests need, built through the actions (no raw saves
of workflow fields), for fixtures and for the generated access specs."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kakehashi.core.testing import World
from kakehashi.intake import actions
from kakehashi.intake.models import Report, ReportAttachment

from .conftest import PRODUCT_REPORT, pass_all_checks

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def upload(name: str = "検証コード.html", content: bytes = b"<script>alert(1)</script>") -> Any:
    return SimpleUploadedFile(name, content, content_type="text/html")


def make_report(
    world: World,
    *,
    track: str = "product",
    language: str = "ja",
    uploads: list[Any] | None = None,
    finder: str | None = None,
    **overrides: Any,
) -> Report:
    data = {**PRODUCT_REPORT, **overrides}
    if track == "website":
        data.setdefault("site_url", "https://shop.example.jp/cart")
    return actions.submit_report(
        track=track,
        language=language,
        data=data,
        uploads=uploads or [],
        finder_user=world.user(finder) if finder else None,
        reception_org=world.organisations["reception"],
    ).report


def accepted_report(world: World, **kwargs: Any) -> Report:
    report = make_report(world, **kwargs)
    clerk = world.user("clerk")
    pass_all_checks(report, clerk)
    actions.accept_report(report, actor=clerk)
    return report


def forwarded_report(world: World, **kwargs: Any) -> Report:
    """Accepted and forwarded to the world's coordination: a case exists."""
    report = accepted_report(world, **kwargs)
    actions.forward_report(
        report, actor=world.user("clerk"), coordinator_org=world.organisations["coordination"]
    )
    return report


def forwarded_attachment(world: World) -> ReportAttachment:
    """A file of a forwarded report whose finder has an account (the finder persona)."""
    report = forwarded_report(world, finder="finder", uploads=[upload()])
    return report.attachments.get()
