"""Scenario 8 — anonymous and encrypted: a finder without an account pastes a report
encrypted to the reception's key (when the platform has one; in plain text otherwise),
gives no e-mail and keeps the follow-up link; the clerk has asked a question, which
waits for the finder's answer through that link.

The link's secret is derived from a fixed string, as the personas' TOTP secrets are,
so ``load_demo`` can print the same link every time for the visitor to try."""

from __future__ import annotations

import hashlib

from kakehashi.core import pgp
from kakehashi.intake import actions as intake_actions
from kakehashi.intake.actions.submit import follow_up_digest, follow_up_url
from kakehashi.intake.models import Report

from ._base import Cast

TITLE = "Remote code execution in the Kumo CMS plugin installer"
DESCRIPTION = (
    "The plugin installer unpacks archives without checking the paths inside them, so a "
    "crafted plugin writes a PHP file into the web root."
)
QUESTION = "Which Kumo CMS version did you test, and is an administrator login needed?"


def _secret() -> str:
    return hashlib.sha256(b"kakehashi-demo-follow-up:scenario-8").hexdigest()[:43]


def follow_up_link() -> str:
    report = Report.objects.filter(title=TITLE).first()
    return "" if report is None else follow_up_url(report, _secret())


def load(people: Cast) -> Report:
    existing = Report.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    data = {"title": TITLE, "product_name": "Kumo CMS", "vendor_name": "Kumo Software Co., Ltd."}
    public_key = pgp.public_key_armor()
    if public_key is None:
        data["description"] = DESCRIPTION
    else:
        data["encrypted_body"] = pgp.encrypt(DESCRIPTION.encode("utf-8"), [public_key])
    report = intake_actions.submit_report(
        track="product", language="en", data=data, reception_org=people.orgs["reception"]
    ).report
    # Demo only: swap the random secret for the derived one, so the link can be printed.
    Report.objects.filter(pk=report.pk).update(follow_up_digest=follow_up_digest(_secret()))
    report = Report.objects.get(pk=report.pk)
    intake_actions.acknowledge_report(report, actor=people.clerk)
    intake_actions.ask_finder(report, actor=people.clerk, question=QUESTION)
    return report
