"""SCENARIOS.md 3, variant — the developer writes in after the DID# listing.

The start is scenario 3's: the finder's report becomes a case, the coordinator notifies
the individual developer found in the registry by the product's name, the mail bounces
and the web form stays silent — every channel tried — and after a month the developer is
listed as unreachable (DID#): the public list and its feed show the entry.

Three weeks later the developer writes to the address on the public list, with the DID
number in the subject, from a new address: the old one is gone. The coordinator finds
the case by that number in the case list, and records the mail as an answered contact
attempt on the case page. Nothing more is needed for the listing: the entry leaves the
public list and the feed by itself (in both languages, as anyone sees them), the case
page keeps it among the removed listings with the reason "contact resumed", and the
timeline and the audit log record it. Coordination resumes where it was — same phase,
same vendor participation, the earlier attempts kept, day zero and the target date
unchanged — and goes on: the coordinator corrects the developer's registry entry,
invites him to the vendor portal and notifies him again at the new address; the
developer signs up through the invitation, enrols a second factor, reads the report's
details in the portal, and accepts the embargo the coordinator proposes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from playwright.sync_api import Page, expect

from kakehashi.cases.models import Case, ContactAttempt, Participant
from kakehashi.core.models import AuditEvent
from kakehashi.unreachable.models import UnreachableListing

from .steps import (
    DEVELOPER,
    DEVELOPER_EMAIL,
    FINDER_EMAIL,
    FLAW,
    PRODUCT,
    Lang,
    deliver_mail,
    field,
    individual_developer,
    list_as_unreachable,
    months_pass,
    notified_bounced_and_silent,
    path_of,
    propose_and_invite,
    record_attempt,
    reported_case,
    sign_in,
    submit,
    told,
)

pytestmark = pytest.mark.browser

NEW_EMAIL = "yamada.taro@mail.example"  # the developer's address now; the old one bounced
USERNAME = "taro-yamada"
PASSWORD = "quick-rename-maintainer-2026"
# What the coordinator notes with the answer (typed in the desk's language).
WROTE_IN = {
    "ja": "%(did)s: 開発者から連絡不能開発者一覧の窓口にメールが届きました（新しいアドレス）。",
    "en": "%(did)s: the developer wrote to the unreachable-developer address (a new address).",
}

PublicOutputs = Callable[[Page], Iterator[tuple[str, str]]]


def unreachable_outputs(public_outputs: PublicOutputs, page: Page) -> dict[str, str]:
    """The public list and its feed in both languages, fetched without cookies."""
    return {path: body for path, body in public_outputs(page) if "/unreachable/" in path}


def find_case_by_did(coordinator: Page, lang: Lang, did: str, case: Case) -> None:
    """The developer's mail names only the DID number: the case list finds the case."""
    coordinator.goto(lang.url("/cases/"))
    filters = coordinator.locator("form.case-filters")
    filters.locator("input[name=q]").fill(did)
    submit(coordinator, filters.get_by_role("button", name=lang.t("Filter"), exact=True))
    rows = coordinator.locator("table.case-list tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=case.reference, exact=True).click()
    expect(coordinator).to_have_url(re.compile(rf"/{lang.code}/cases/{case.pk}/$"))


def correct_the_entry_and_invite(coordinator: Page, lang: Lang, developer: Participant) -> None:
    """In the registry: the bounced address out, the new one in, and the developer
    invited as his own vendor administrator in the portal."""
    coordinator.goto(lang.url(f"/vendors/registry/{developer.organisation_id}/"))
    contacts = coordinator.locator("#contacts")
    old = contacts.locator("tbody tr", has_text=DEVELOPER_EMAIL)
    submit(coordinator, old.get_by_role("button", name=lang.t("Remove")))
    told(coordinator, lang.t("The contact point was removed."))
    add = coordinator.locator("#contacts form.form")
    field(add, lang.t("Kind")).select_option("email")
    field(add, lang.t("Address or number")).fill(NEW_EMAIL)
    submit(coordinator, add.get_by_role("button", name=lang.t("Add the contact point")))
    told(coordinator, lang.t("The contact point was added."))
    contacts = coordinator.locator("#contacts tbody")
    expect(contacts).to_contain_text(NEW_EMAIL)
    expect(contacts).not_to_contain_text(DEVELOPER_EMAIL)

    invite = coordinator.locator("#members form.form")
    field(invite, lang.t("E-mail address")).fill(NEW_EMAIL)
    field(invite, lang.t("Role")).select_option("vendor_admin")
    field(invite, lang.t("Language of the invitation")).select_option(lang.code)
    submit(coordinator, invite.get_by_role("button", name=lang.t("Send the invitation")))
    told(coordinator, lang.t("The invitation was sent to %(email)s.", email=NEW_EMAIL))


def link_in(message: Any, pattern: str) -> str:
    found = re.search(rf"https?://\S+{pattern}\S*", message.body)
    assert found, message.body
    return path_of(found.group(0))


def join_through_the_invitation(
    developer: Page, lang: Lang, invitation: str, shot: Callable[[Page, str], None]
) -> None:
    """The developer has no account: he signs up with the invited address, confirms it,
    signs in, accepts the invitation and enrols an authenticator app (the portal
    requires a second factor)."""
    developer.goto(lang.url("/accounts/signup/"))
    form = developer.locator("form", has=developer.locator("input[name=password2]"))
    form.locator("input[name=email]").fill(NEW_EMAIL)
    form.locator("input[name=username]").fill(USERNAME)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    submit(developer, form.locator("button[type=submit]"))
    (confirmation,) = [m for m in deliver_mail() if NEW_EMAIL in m.to]
    developer.goto(link_in(confirmation, "/accounts/confirm-email/"))
    submit(developer, developer.locator("main form button[type=submit]"))

    developer.goto(invitation)  # signs in first, then comes back to the invitation
    form = developer.locator("form", has=developer.locator("input[name=password]"))
    form.locator("input[name=login]").fill(USERNAME)
    form.locator("input[name=password]").fill(PASSWORD)
    submit(developer, form.locator("button[type=submit]"))
    expect(developer).to_have_url(re.compile(rf"/{lang.code}/account/invitations/"))
    submit(developer, developer.get_by_role("button", name=lang.t("Accept the invitation")))
    told(developer, lang.t("You joined the organisation."))

    expect(developer).to_have_url(re.compile(rf"/{lang.code}/accounts/2fa/$"))  # enrol first
    developer.locator("main a[href$='/2fa/totp/activate/']").click()
    expect(developer).to_have_url(re.compile(r"/(totp/activate|reauthenticate)/"))
    if "/reauthenticate/" in developer.url:  # the password again, for the new factor
        form = developer.locator("form", has=developer.locator("input[name=password]"))
        form.locator("input[name=password]").fill(PASSWORD)
        submit(developer, form.locator("button[type=submit]"))
    shot(developer, "02-enrol-authenticator")
    secret = developer.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    form = developer.locator("form", has=developer.locator("input[name=code]"))
    form.locator("input[name=code]").fill(code)
    submit(developer, form.locator("button[type=submit]"))
    expect(developer).not_to_have_url(re.compile(r"/totp/activate/"))


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("people")
def test_the_developer_writes_in_after_the_listing_and_coordination_resumes(
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    screenshot: Callable[..., None],
    public_outputs: PublicOutputs,
) -> None:
    lang = Lang(code)
    shot = lambda who, step, of=None: screenshot(who, f"scenario3b-{code}-{step}.png", of)  # noqa: E731
    individual_developer()
    case, _clerk = reported_case(page, new_page, lang)

    # 1. As in scenario 3: every channel tried, a month of silence, listed (DID#).
    coordinator = new_page(locale=lang.locale)
    sign_in(coordinator, "coordinator", lang)
    developer = notified_bounced_and_silent(coordinator, lang, case)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    expect(coordinator.locator("#vendor-notices")).to_contain_text(lang.t("Every channel tried"))
    months_pass(case, developer, 31)
    case.refresh_from_db()
    developer.refresh_from_db()
    before = {
        "phase": case.phase,
        "day_zero": case.day_zero,
        "target": case.target_publication_at,
        "notified_at": developer.notified_at,
        "participants": list(case.participants.values_list("pk", "role", "removed_at")),
        "attempts": set(
            ContactAttempt.objects.filter(participant=developer).values_list("pk", "outcome")
        ),
    }
    assert developer.rm_state == "S" and developer.acknowledged_at is None
    listing = list_as_unreachable(coordinator, lang, case)
    for path, body in unreachable_outputs(public_outputs, page).items():
        assert listing.did in body, path

    # 2. Three weeks later the developer writes in, from a new address, the DID number in
    #    the subject: the coordinator finds the case by it and records the answer.
    months_pass(case, developer, 21)
    find_case_by_did(coordinator, lang, listing.did, case)
    record_attempt(
        coordinator,
        lang,
        "email",
        NEW_EMAIL,
        "answered",
        note=WROTE_IN[code] % {"did": listing.did},
    )

    # 3. The entry leaves the public list and the feed by itself, in both languages.
    listing.refresh_from_db()
    assert (listing.removal_reason, listing.removed_by) == ("contact_resumed", None)
    for path, body in public_outputs(page):
        assert listing.did not in body, path
    for path, body in unreachable_outputs(public_outputs, page).items():
        assert PRODUCT not in body, path

    # ... the case page keeps it as a removed listing, with its reason ...
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    panel = coordinator.locator("#unreachable")
    expect(panel.locator("article.unreachable-listing")).to_have_count(0)
    expect(panel).to_contain_text(lang.t("No vendor of this case is listed as unreachable."))
    removed = panel.locator("details")
    removed.locator("summary").click()
    expect(removed.locator("li")).to_have_count(1)
    expect(removed.locator("li")).to_contain_text(listing.did)
    expect(removed.locator("li")).to_contain_text(lang.t("Contact resumed"))
    shot(coordinator, "01-listing-removed", panel)

    # ... and the timeline and the audit log record it.
    contact_resumed = lang.t(
        "%(did)s removed from the public list: %(reason)s",
        did=listing.did,
        reason=lang.t("Contact resumed"),
    )
    expect(coordinator.locator("#timeline li").filter(has_text=contact_resumed)).to_have_count(1)
    audit = AuditEvent.objects.get(action="unreachable.removed", case_id=case.pk)
    assert (audit.actor_id, audit.subject_id) == (None, str(listing.pk))
    assert listing.did in audit.summary and "contact_resumed" in audit.summary

    # 4. Coordination resumes where it was: nothing restarted, the answer counted.
    case.refresh_from_db()
    developer.refresh_from_db()
    assert case.phase == before["phase"]
    assert (case.day_zero, case.target_publication_at) == (before["day_zero"], before["target"])
    assert (
        list(case.participants.values_list("pk", "role", "removed_at")) == (before["participants"])
    )
    assert developer.notified_at == before["notified_at"]
    assert developer.rm_state == "R" and developer.acknowledged_at is not None
    attempts = set(
        ContactAttempt.objects.filter(participant=developer).values_list("pk", "outcome")
    )
    assert before["attempts"] < attempts and {o for _pk, o in attempts - before["attempts"]} == {
        "answered"
    }
    assert UnreachableListing.objects.filter(case=case).count() == 1  # kept as history
    notices = coordinator.locator("#vendor-notices")
    expect(notices).not_to_contain_text(lang.t("Every channel tried"))
    expect(notices.locator("tbody tr", has_text=DEVELOPER[code])).to_contain_text(
        lang.t("Acknowledged")
    )

    # 5. The coordinator goes on: the registry entry corrected, the developer invited to
    #    the portal and notified again, at the new address.
    correct_the_entry_and_invite(coordinator, lang, developer)
    (invitation,) = [m for m in deliver_mail() if NEW_EMAIL in m.to]
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    notices = coordinator.locator("#vendor-notices")
    notices.get_by_label(DEVELOPER[code]).check()
    submit(coordinator, notices.get_by_role("button", name=lang.t("Notify the vendors ticked")))
    (notice,) = [m for m in deliver_mail() if NEW_EMAIL in m.to]
    assert case.reference in notice.body
    assert DEVELOPER_EMAIL not in notice.to

    # 6. The developer joins through the invitation and reads the report in the portal.
    portal = new_page(locale=lang.locale)
    join_through_the_invitation(portal, lang, link_in(invitation, "/account/invitations/"), shot)
    portal.goto(lang.url("/portal/"))
    portal.get_by_role("link", name=re.compile(re.escape(case.reference))).click()
    expect(portal).to_have_url(re.compile(rf"/{lang.code}/portal/cases/{case.pk}/$"))
    expect(portal.locator("#vulnerabilities")).to_contain_text(FLAW)
    expect(portal.locator("main")).not_to_contain_text(FINDER_EMAIL)

    # 7. The coordinator proposes an embargo and invites the vendors; the developer accepts.
    ends = timezone.localtime(timezone.now() + timedelta(days=45)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    propose_and_invite(coordinator, lang, case.pk, ends)

    portal.reload()
    schedule = portal.locator("section#schedule")
    field(schedule, lang.t("Answer")).select_option("accept")
    submit(portal, schedule.get_by_role("button", name=lang.t("Send the answer")))
    told(portal, lang.t("You accepted the embargo."))
    shot(portal, "03-developer-accepts-the-embargo")
    developer.refresh_from_db()
    assert developer.pec_state == "signatory"
    assert Participant.objects.get(pk=developer.pk).is_current
