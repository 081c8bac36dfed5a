"""Steps shared by the scenario tests (SCENARIOS.md), in either UI language.

Every label, button and message is looked up through the product's catalogs under the
language of the run (``Lang.t``), so one test follows the product's own wording in
Japanese and in English. The live server answers one request at a time and shares the
in-memory database with the test thread: the database is read only between requests,
after a navigation has finished (``submit`` waits for it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import Locator, Page, expect

from kakehashi.accounts.models import User
from kakehashi.cases.models import Case, ContactAttempt, Participant
from kakehashi.cna.fake import FakeCveServices
from kakehashi.core import pgp
from kakehashi.core.demo import DEMO_PASSWORD, totp_secret_for
from kakehashi.core.pgp import GeneratedKey
from kakehashi.core.pgp_mime import parse_incoming
from kakehashi.core.testing import run_pending_jobs
from kakehashi.unreachable.models import UnreachableListing
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.models import VendorProfile

from ..mailbox import ReceivedMail, received
from ..traffic import settle
from .conftest import move_back

TRACKING_ID = re.compile(r"KHR#\d{8}")
CASE_REFERENCE = re.compile(r"KH-\d{4}-\d+")


@dataclass(frozen=True)
class Lang:
    """The UI language of one run: ``lang.t("Save")`` is the product's word for it."""

    code: str

    def t(self, text: str, **values: Any) -> str:
        with translation.override(self.code):
            translated = gettext(text)
        return translated % values if values else translated

    def p(self, context: str, text: str) -> str:
        with translation.override(self.code):
            return pgettext(context, text)

    def url(self, path: str) -> str:
        return f"/{self.code}{path}"

    @property
    def locale(self) -> str:
        return "ja-JP" if self.code == "ja" else "en-US"


def field(container: Locator | Page, label: str) -> Locator:
    """The control labelled exactly ``label`` (Django's label tag may add a colon)."""
    return container.get_by_label(re.compile(rf"^{re.escape(label)}[:：]?$"))


def submit(page: Page, button: Locator) -> None:
    """Click a form's button and wait until the answer has loaded."""
    with page.expect_navigation():
        button.click()
    # Not only the page: the requests it makes once loaded (htmx panels) end too, so
    # that the test may read the shared database next.
    settle(page)


def told(page: Page, text: str) -> None:
    """The page's message after an action (post/redirect/get)."""
    expect(page.get_by_role("status").filter(has_text=text)).to_have_count(1)


def open_action(page: Page, key: str) -> Locator:
    """Open a desk page's form ``#act-<key>`` through its link (htmx swaps it in)."""
    container = page.locator(f"#act-{key}")
    container.locator("a.action-link").click()
    expect(container.locator("form[method=post]")).to_be_visible()
    return container


def fact(section: Locator, term: str) -> Locator:
    """The <dd> after the <dt> ``term`` in a list of facts."""
    return section.locator(f"xpath=.//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_in(page: Page, username: str, lang: Lang) -> None:
    """Password, the TOTP code, decline to trust the browser; ends on the dashboard."""
    page.goto(lang.url("/accounts/login/"))
    form = page.locator("form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.get_by_role("button", name=lang.t("Sign In"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(totp_secret_for(username), counter))
    form = page.locator("form").filter(has=page.locator("input[name=code]"))
    form.locator("input[name=code]").fill(code)
    form.get_by_role("button", name=lang.t("Sign In"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/trust/$"))
    page.get_by_role("button", name=lang.t("Don't Trust"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def deliver_mail() -> list[ReceivedMail]:
    """The worker's part: run the queued jobs (mail among them); the messages the SMTP
    server received meanwhile."""
    before = len(received())
    run_pending_jobs()
    return received()[before:]


# --- The finder's report ------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What the finder types into the report form."""

    name: str
    email: str
    credit_name: str
    title: str
    product: str
    versions: str
    vendor: str
    description: str
    environment: str
    reproduction: str
    impact: str
    cvss: str
    files: tuple[tuple[str, str, bytes], ...] = ()  # name, MIME type, contents
    talk_title: str = ""
    talk_venue: str = ""
    talk_date: date | None = None


def next_step(page: Page, lang: Lang, step: str) -> None:
    page.locator(".form-nav").get_by_role("button", name=lang.t("Next"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/report/step/{step}/$"))


def file_report(page: Page, lang: Lang, finding: Finding) -> str:
    """The finder, without an account, sends a product report through every page of
    the form; identity not passed to the vendor, credit under her chosen name. Returns
    the tracking ID shown at the end."""
    page.goto(lang.url("/report/"))
    expect(page.locator("html")).to_have_attribute("lang", lang.code)
    page.get_by_label(lang.t("Software product")).check()
    page.get_by_role("button", name=lang.t("Start"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/report/consent/$"))
    page.get_by_label(lang.t("I agree that my report is handled this way.")).check()
    page.get_by_role("button", name=lang.t("Agree and continue")).click()

    expect(page).to_have_url(re.compile(r"/report/step/you/$"))
    field(page, lang.t("Your name")).fill(finding.name)
    field(page, lang.t("Your e-mail address")).fill(finding.email)
    passing_on = page.get_by_label(
        lang.t("My name and contact details may be passed to the vendor")
    )
    expect(passing_on).not_to_be_checked()
    page.get_by_label(lang.t("Publish my name in the advisory as the finder")).check()
    field(page, lang.t("Name to publish")).fill(finding.credit_name)
    next_step(page, lang, "vulnerability")

    field(page, lang.t("Summary in one line")).fill(finding.title)
    field(page, lang.t("Product name")).fill(finding.product)
    field(page, lang.t("Affected versions")).fill(finding.versions)
    field(page, lang.t("Vendor (developer)")).fill(finding.vendor)
    field(page, lang.t("The vulnerability")).fill(finding.description)
    field(page, lang.t("Environment in which you confirmed it")).fill(finding.environment)
    field(page, lang.t("Steps to reproduce, and the result")).fill(finding.reproduction)
    field(page, lang.t("Impact")).fill(finding.impact)
    vector = field(page, lang.t("CVSS v3.1 vector"))
    vector.fill(finding.cvss)
    # Leaving the field scores the vector (htmx), and the score's line moves the buttons
    # down: wait for it, or a click on "Next" could land where the button was.
    vector.press("Tab")
    expect(page.locator("#cvss-score")).to_contain_text(finding.cvss)
    next_step(page, lang, "circumstances")

    if finding.talk_date is not None:
        field(page, lang.t("Planned talk or paper")).fill(finding.talk_title)
        field(page, lang.t("Venue")).fill(finding.talk_venue)
        field(page, lang.t("Date of the talk")).fill(finding.talk_date.isoformat())
    next_step(page, lang, "files")

    if finding.files:
        page.get_by_label(re.compile("^" + re.escape(lang.t("Add files")))).set_input_files(
            [{"name": n, "mimeType": m, "buffer": b} for n, m, b in finding.files]
        )
        page.get_by_role("button", name=lang.t("Add the files"), exact=True).click()
        staged = page.get_by_role("group", name=lang.t("Files in your draft"))
        for name, _type, _body in finding.files:
            expect(staged.locator(".filename", has_text=name)).to_have_count(1)
    page.get_by_role("button", name=lang.t("Next: check your report")).click()

    expect(page).to_have_url(re.compile(r"/report/confirm/$"))
    main = page.locator("main")
    for text in (finding.name, finding.email, finding.title, finding.product):
        expect(main).to_contain_text(text)
    page.get_by_role("button", name=lang.t("Send the report")).click()
    expect(page).to_have_url(re.compile(r"/report/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        lang.t("Thank you: we received your report")
    )
    tracking_id = page.locator("strong.reference").inner_text()
    assert TRACKING_ID.fullmatch(tracking_id), tracking_id
    return tracking_id


def follow_up_path(message: Any) -> str:
    """The secret follow-up link in the receipt mail, as a path on the live server."""
    found = re.search(r"https?://\S+/report/follow-up/\S+", message.body)
    assert found, message.body
    return path_of(found.group(0))


# --- The reception desk -----------------------------------------------------------------------


def open_report(clerk: Page, lang: Lang, tracking_id: str) -> str:
    """From the queue to the report's page; returns its path."""
    clerk.goto(lang.url("/reception/"))
    clerk.get_by_role("link", name=tracking_id, exact=True).click()
    expect(clerk).to_have_url(re.compile(r"/reception/reports/\d+/$"))
    return path_of(clerk.url)


def ask_finder(clerk: Page, lang: Lang, question: str) -> None:
    ask = open_action(clerk, "ask")
    field(ask, lang.t("Question to the finder")).fill(question)
    submit(clerk, ask.get_by_role("button", name=lang.t("Send the question")))
    expect(clerk.locator("#conversation")).to_contain_text(question)


def pass_checks_accept_and_forward(clerk: Page, lang: Lang) -> str:
    """The five acceptance checks, 受理, and the hand-over to the coordination centre;
    returns the new case's reference."""
    checks = clerk.get_by_role(
        "table", name=lang.t("The five acceptance checks and their latest records")
    )
    rows = checks.locator("tbody tr")
    expect(rows).to_have_count(5)
    for index in range(5):
        row = rows.nth(index)
        row.get_by_role("textbox").fill(lang.t("Note"))
        submit(
            clerk, row.get_by_role("button", name=lang.p("acceptance check", "Passed"), exact=True)
        )
        expect(rows.nth(index).locator(".badge")).to_have_text(lang.p("acceptance check", "Passed"))

    decision = clerk.locator("#decision")
    decision.get_by_role("link", name=lang.t("Accept the report (受理)")).click()
    accept = clerk.locator("#act-accept")
    submit(clerk, accept.get_by_role("button", name=lang.t("Accept and tell the finder")))
    decision.get_by_role("link", name=lang.t("Forward to coordination")).click()
    forward = clerk.locator("#act-forward")
    submit(clerk, forward.get_by_role("button", name=lang.t("Forward"), exact=True))
    found = CASE_REFERENCE.search(clerk.get_by_role("status").inner_text())
    assert found, clerk.get_by_role("status").inner_text()
    return found.group(0)


# --- The coordinator ----------------------------------------------------------------------------


def find_and_add_vendor(page: Page, lang: Lang, case_id: int, query: str, vendor: str) -> None:
    """The registry search by product name, then the vendor added to the case."""
    page.goto(lang.url(f"/vendors/cases/{case_id}/find/?q={query}"))
    row = page.locator("#vendor-results tr", has_text=vendor)
    expect(row).to_contain_text(query)  # matched on the product's name
    row.locator("input[type=checkbox]").check()
    submit(page, page.get_by_role("button", name=lang.t("Add the chosen vendors to the case")))
    expect(page.locator("#vendor-notices")).to_contain_text(vendor)


def add_case_product(
    page: Page, lang: Lang, vendor: str, name: str, *, versions: str, purl: str = ""
) -> None:
    product = open_action(page, "product")
    chooser = field(product, lang.t("Vendor"))
    value = chooser.locator("option", has_text=vendor).first.get_attribute("value")
    chooser.select_option(value)
    field(product, lang.t("Product")).fill(name)
    field(product, lang.t("Affected versions")).fill(versions)
    if purl:
        field(product, lang.t("Package URL")).fill(purl)
    submit(page, product.get_by_role("button", name=lang.t("Add"), exact=True))
    told(page, lang.t("The product was added."))
    expect(
        page.locator("#participants table", has=page.locator("th", has_text=name))
    ).to_contain_text(versions)


def assign_cve_with_reference(
    officer: Page, lang: Lang, vulnerability: Any, fake: FakeCveServices, reference: str
) -> None:
    """On the case page, the CNA officer assigns a reserved CVE ID to ``vulnerability``
    and adds the vendor's advisory to its record: complete and valid, the one check left
    is the advisory, which must be public first."""
    submit(officer, officer.get_by_role("button", name=lang.t("Assign a CVE ID")))
    vulnerability.refresh_from_db()
    assert vulnerability.cve_id and vulnerability.cve_id in fake.state.ids
    officer.goto(lang.url(f"/cna/records/{vulnerability.cve_id}/"))
    record_form = officer.locator(
        "form", has=officer.get_by_role("button", name=lang.t("Save"), exact=True)
    )
    field(record_form, lang.t("References")).fill(f"{reference} | vendor-advisory")
    submit(officer, record_form.get_by_role("button", name=lang.t("Save"), exact=True))
    checks = officer.locator("#checks ul.checks > li")
    expect(checks).to_have_count(1)
    expect(checks).to_contain_text(
        lang.t("The advisory is not public yet: the record may be published only after it.")
    )


def propose_and_invite(page: Page, lang: Lang, case_id: int, ends: datetime) -> None:
    """The coordinator proposes an embargo ending at ``ends`` and invites every vendor
    to consent (the default of the invitation form); the invitations are mailed."""
    page.goto(lang.url(f"/cases/{case_id}/"))
    propose = open_action(page, "propose")
    field(propose, lang.t("Embargo ends at")).fill(local_input(ends))
    submit(page, propose.get_by_role("button", name=lang.t("Propose"), exact=True))
    told(page, lang.t("The embargo was proposed."))
    invite = open_action(page, "invite")
    invite.locator("input[name=invite-who][value=all_vendors]").check()
    submit(page, invite.get_by_role("button", name=lang.t("Invite"), exact=True))
    deliver_mail()


def local_input(instant: datetime) -> str:
    """A datetime-local input's value."""
    return instant.strftime("%Y-%m-%dT%H:%M")


# --- The world: set up directly, as the registry and the CNA's contract would have it -----

CAMERA = "SakuraCam NC-200"
VENDOR_EMAIL = "psirt@sakura.example"
KEY_PASSPHRASE = "scenario passphrase"
CNA_ORG = "kakehashi-scenario"
CNA_USER = "cna@scenario.test"
CNA_KEY = "scenario-api-secret-0123456789"


def camera_vendor_with_key() -> GeneratedKey:
    """The demo vendor makes network cameras too, and has registered an OpenPGP key:
    its product in the registry (what the coordinator searches for) and the key its
    notices are encrypted to. Returns the key pair, to read the notice as the vendor."""
    coordinator = User.objects.get(username="coordinator")
    profile = VendorProfile.objects.get(organisation__slug="sakura-network")
    vendor_actions.add_product(
        coordinator,
        profile,
        name=CAMERA,
        cpe="cpe:2.3:o:sakura-network:nc-200_firmware:*:*:*:*:*:*:*:*",
        keywords="ネットワークカメラ\nnetwork camera",
    )
    key = pgp.generate_key("Sakura PSIRT", VENDOR_EMAIL, KEY_PASSPHRASE)
    vendor_actions.add_key(coordinator, profile, key.public_armor)
    return key


def decrypt_notice(raw: bytes, key: GeneratedKey) -> str:
    """The vendor opens the PGP/MIME notice with its secret key."""
    (found,) = parse_incoming(raw, pgp.PlatformKey.from_armor(key.secret_armor, KEY_PASSPHRASE))
    return str(found.text)


@contextmanager
def cve_services(settings: Any) -> Iterator[FakeCveServices]:
    """The CNA's account at (a fake of) CVE Services, on loopback."""
    with FakeCveServices(CNA_ORG, CNA_USER, CNA_KEY) as server:
        settings.KAKEHASHI_CNA_SHORT_NAME = CNA_ORG
        settings.KAKEHASHI_CNA_ORG_ID = "0b6f0a44-3c1e-4d7a-9a57-5f0c2b8e1d23"
        settings.KAKEHASHI_CVE_SERVICES_URL = server.url
        settings.KAKEHASHI_CVE_SERVICES_USER = CNA_USER
        settings.KAKEHASHI_CVE_SERVICES_KEY = CNA_KEY
        yield server


def state_statuses(
    page: Page, lang: Lang, statuses: list[tuple[str, str, dict[str, str]]]
) -> Locator:
    """The vendor, on its portal case page, states one status per product of the first
    vulnerability — ``(product label, status, extra)`` with ``extra`` giving
    ``fixed_in`` or ``justification`` — each with a statement in both languages.
    Returns the statuses section as it is after the last save."""
    section = page.locator("section#statuses")
    for product, status, extra in statuses:
        field(section, lang.t("Vulnerability")).select_option(index=1)
        section.get_by_label(
            lang.t("Product (empty: all of your products in the case)")
        ).select_option(label=product)
        field(section, lang.t("Status")).select_option(status)
        if "justification" in extra:
            section.get_by_label(lang.t("Justification (for “not affected”)")).select_option(
                extra["justification"]
            )
        if "fixed_in" in extra:
            field(section, lang.t("Fixed in version")).fill(extra["fixed_in"])
        field(section, lang.t("Statement (Japanese)")).fill(f"{product} の評価結果です。")
        field(section, lang.t("Statement (English)")).fill(f"Our assessment of {product}.")
        submit(page, section.get_by_role("button", name=lang.t("Save the status")))
        section = page.locator("section#statuses")
    return section


# --- Scenario 3: an individual developer who cannot be reached ------------------------------

PRODUCT = "QuickRename"
DEVELOPER = {"ja": "山田 太郎", "en": "Taro Yamada"}
DEVELOPER_EMAIL = "taro@quickrename.example"
WEB_FORM = "https://quickrename.example/contact"
FINDER_EMAIL = "finder-3@research.example.jp"
FLAW = "A crafted archive name writes files outside the chosen folder."


def individual_developer() -> None:
    """The developer's registry entry: an e-mail address and a web form, no telephone."""
    coordinator = User.objects.get(username="coordinator")
    profile = vendor_actions.register_new_vendor(
        coordinator, name_ja=DEVELOPER["ja"], name_en=DEVELOPER["en"]
    )
    vendor_actions.add_contact_point(coordinator, profile, kind="email", value=DEVELOPER_EMAIL)
    vendor_actions.add_contact_point(coordinator, profile, kind="web_form", value=WEB_FORM)
    vendor_actions.add_product(
        coordinator, profile, name=PRODUCT, keywords="ファイル名一括変更\nbatch rename"
    )


def reported_case(finder: Page, new_page: Callable[..., Page], lang: Lang) -> tuple[Case, Page]:
    """The finder's report through the form, accepted and forwarded by the clerk."""
    finder.context.set_extra_http_headers({"Accept-Language": lang.locale})
    tracking_id = file_report(
        finder,
        lang,
        Finding(
            name="",
            email=FINDER_EMAIL,
            credit_name="hikari",
            title=f"Path traversal in {PRODUCT} 2.4",
            product=PRODUCT,
            versions="2.4.0",
            vendor=DEVELOPER["en"],
            description=FLAW,
            environment="Windows 11, QuickRename 2.4.0",
            reproduction="Rename with the pattern ..\\..\\Startup\\x.bat",
            impact="Any file the user can write is overwritten.",
            cvss="CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N",
        ),
    )
    deliver_mail()
    clerk = new_page(locale=lang.locale)
    sign_in(clerk, "clerk", lang)
    open_report(clerk, lang, tracking_id)
    reference = pass_checks_accept_and_forward(clerk, lang)
    deliver_mail()
    clerk.context.close()
    return Case.objects.get(reference=reference), clerk


def choose(select: Locator, text: str) -> None:
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def record_attempt(
    page: Page, lang: Lang, channel: str, address: str, outcome: str, *, note: str = ""
) -> None:
    """*Record a contact attempt* on the case page, for the developer."""
    form = open_action(page, "contact")
    choose(form.locator("select[name=contact-participant]"), DEVELOPER[lang.code])
    form.locator("select[name=contact-channel]").select_option(channel)
    form.locator("input[name=contact-address]").fill(address)
    form.locator("select[name=contact-outcome]").select_option(outcome)
    form.locator("textarea[name=contact-note]").fill(note)
    submit(page, form.locator("button[type=submit]"))
    told(page, lang.t("The contact attempt was recorded."))


def notified_bounced_and_silent(coordinator: Page, lang: Lang, case: Case) -> Participant:
    """Found by the product's name, notified by mail; the mail bounces (recorded), the
    web form gets no answer (recorded)."""
    find_and_add_vendor(coordinator, lang, case.pk, PRODUCT, DEVELOPER[lang.code])
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    submit(
        coordinator,
        coordinator.get_by_role("button", name=lang.t("Notify every vendor not yet notified")),
    )
    assert any(DEVELOPER_EMAIL in m.to for m in deliver_mail())
    coordinator.reload()
    bounce = coordinator.locator("#act-bounce")
    bounce.locator("summary").click()
    bounce.locator("input[name=bounce-address]").fill(DEVELOPER_EMAIL)
    submit(coordinator, bounce.locator("button[type=submit]"))
    record_attempt(coordinator, lang, "web", WEB_FORM, "no_answer")
    developer = Participant.objects.get(case=case, organisation__name_en=DEVELOPER["en"])
    logged = set(
        ContactAttempt.objects.filter(participant=developer).values_list("channel", "outcome")
    )
    assert {("email", "bounced"), ("web", "no_answer")} <= logged, logged
    return developer


def list_as_unreachable(coordinator: Page, lang: Lang, case: Case) -> UnreachableListing:
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    button = coordinator.get_by_role("button", name=lang.t("List as unreachable"))
    form = coordinator.locator("#unreachable form", has=button)
    choose(form.locator("select[name$=participant]"), DEVELOPER[lang.code])
    form.locator("select[name$=kind]").select_option("individual")
    form.locator("[name$=related_information]").fill(WEB_FORM)
    form.locator("[name$=remarks_ja]").fill(f"{PRODUCT} の開発者")
    form.locator("[name$=remarks_en]").fill(f"Developer of {PRODUCT}")
    submit(coordinator, button)
    expect(coordinator.locator("#unreachable")).to_contain_text("DID#")
    return UnreachableListing.objects.get(case=case)


def months_pass(case: Case, developer: Participant, days: int) -> None:
    """Every recorded instant of the silence moves ``days`` back."""
    for attempt in ContactAttempt.objects.filter(participant=developer):
        move_back(ContactAttempt, attempt.pk, ("attempted_at",), timedelta(days=days))
    for listing in UnreachableListing.objects.filter(case=case):
        move_back(
            UnreachableListing,
            listing.pk,
            ("silent_since", "listed_at", "product_listed_at", "contact_deadline"),
            timedelta(days=days),
        )
