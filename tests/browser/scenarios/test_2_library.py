"""SCENARIOS.md 2 — international, many vendors, a library (JVNVU#), end to end in the browser.

A flaw in an open-source TLS library (a Rust crate, so that OSV can express its
versions), reported in Japanese and forwarded to the coordination centre. The
coordinator finds the upstream project by its product and the downstream vendors by
their group in the registry, adds them in one step with a partner CERT abroad (which
keeps its own report-management state), and notifies them all; the individually
registered (個別登録) vendor gets a notice without details. The report is translated to
English (a translator in the side-by-side editor, the coordinator reviews), and the
overseas vendor reads the translation with the original one click away. The coordinator
proposes an embargo and invites every vendor; the upstream project and the others
accept, two stay silent and their deadline passes (the pocket veto): they learn nothing
more before publication. A large vendor needs more time: the request is granted and the
embargo revised once, and the upstream project accepts the revision; a word to every
vendor reaches neither the declined nor the individually registered. One vendor disputes
the report with a reason and a statement in both languages, many stay unknown. The
upstream project gives its advisory's URL and time in its review of the draft, the
partner CERT's note is a reference, and at the embargo instant the JVNVU# advisory is
published with everything else.

The upstream project and the overseas vendor work in English in both runs; the
coordinator, the translator and the Japanese vendor in the run's language. At the end
the JVNVU# page (ja, en), Atom, JVNRSS (ja, en), VULDEF, CSAF and OSV are checked, each
export valid by its validator, and the finder's name and address appear in none.

Only the vendors that act have a browser; the thirty downstream vendors are set up in
the registry directly (and those that answer the invitation do so through their own
channels, recorded directly), to show the scale on the case page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from kakehashi.accounts import actions as account_actions
from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation, User
from kakehashi.advisories.exports.checks import export_problems
from kakehashi.advisories.models import Advisory
from kakehashi.advisories.tasks import publish_due_advisories
from kakehashi.cases import actions as case_actions
from kakehashi.cases.choices import CaseOrigin
from kakehashi.cases.models import Case, Participant
from kakehashi.cases.tasks import time_out_embargo_invitations
from kakehashi.cases.workflow import PECState, RMState
from kakehashi.core.testing import run_pending_jobs
from kakehashi.translation.models import TranslationTask
from kakehashi.vendors import actions as vendor_actions
from kakehashi.vendors.choices import ContactKind, RegistrationType
from kakehashi.vendors.models import VendorNotice
from kakehashi.vendors.rules import receives_pre_publication

from .conftest import move_back
from .steps import (
    Lang,
    add_case_product,
    deliver_mail,
    field,
    local_input,
    open_action,
    propose_and_invite,
    received,
    sign_in,
    submit,
    told,
)

pytestmark = pytest.mark.browser

LIBRARY = "libhelix"
PURL = "pkg:cargo/libhelix"  # a crate: OSV can express its versions (crates.io)
FIXED = "1.4.2"
UPSTREAM_ADVISORY = "https://helix.example.org/news/secadv-2026-ccs.html"
PARTNER_NOTE = "https://partner-cert.example.org/vuls/id/978508"
DISPUTE = (
    "Our appliances ship libhelix only for the update client, which never accepts TLS connections."
)
STATEMENT_EN = "The update client never accepts TLS connections."
STATEMENT_JA = "アップデート機能は TLS 接続を受け付けないため、影響を受けません。"
DOWNSTREAM = 30
SILENT = (3, 7)  # the two downstream vendors that never answer the invitation
INDIVIDUAL = 11  # the downstream vendor registered individually (個別登録)
ENGLISH_ONLY = range(20, 30)  # downstream vendors abroad, without a Japanese name

FINDER_NAME = "菊池 正志"
FINDER_EMAIL = "kikuchi@lab.example.jp"
TITLE_JA = "libhelix における ChangeCipherSpec メッセージの処理不備"
TITLE_EN = "libhelix accepts ChangeCipherSpec messages too early"
DESCRIPTION_JA = (
    "libhelix はハンドシェイクの途中で ChangeCipherSpec メッセージを受け付けます。\n"
    "中間者は弱い鍵で通信を暗号化させ、内容を盗聴または改ざんできます。"
)
DESCRIPTION_EN = (
    "libhelix accepts a ChangeCipherSpec message in the middle of the handshake.",
    "A man in the middle can make both ends use a weak key and read or alter the traffic.",
)


def downstream_name(index: int) -> tuple[str, str]:
    english = f"Downstream Appliance {index:02d} Ltd."
    japanese = "" if index in ENGLISH_ONLY else f"下流機器{index:02d}株式会社"
    return japanese, english


def library_world() -> Case:
    """The registry (upstream, two named vendors, thirty downstream vendors in a group,
    a partner CERT) and the case the reception desk forwarded."""
    coordinator = User.objects.get(username="coordinator")
    helix = vendor_actions.register_vendor(
        coordinator,
        Organisation.objects.get(slug="helix-oss"),
        preferred_language="en",
        time_zone="Europe/Berlin",
        overseas=True,
    )
    vendor_actions.add_product(
        coordinator, helix, name=LIBRARY, purl=PURL, keywords="TLS\nOpenSSL-compatible"
    )
    northwind = vendor_actions.register_vendor(
        coordinator,
        Organisation.objects.get(slug="northwind"),
        preferred_language="en",
        time_zone="America/Los_Angeles",
        overseas=True,
    )
    sakura = vendor_actions.register_vendor(
        coordinator, Organisation.objects.get(slug="sakura-network")
    )
    members = [northwind, sakura]
    for index in range(1, DOWNSTREAM + 1):
        name_ja, name_en = downstream_name(index)
        members.append(
            vendor_actions.register_new_vendor(
                coordinator,
                name_ja=name_ja,
                name_en=name_en,
                preferred_language="en" if index in ENGLISH_ONLY else "ja",
                overseas=index in ENGLISH_ONLY,
                registration_type=RegistrationType.INDIVIDUAL
                if index == INDIVIDUAL
                else RegistrationType.GENERAL,
            )
        )
    for profile in (helix, *members):
        vendor_actions.add_contact_point(
            coordinator,
            profile,
            kind=ContactKind.EMAIL,
            value=f"psirt@{profile.organisation.slug}.example",
        )
    vendor_actions.save_group(
        coordinator,
        name_ja=f"{LIBRARY} を組み込む製品開発者",
        name_en=f"Vendors shipping {LIBRARY}",
        description="TLS",
        members=members,
    )
    account_actions.create_organisation(
        None,
        kind=OrganisationKind.PARTNER_CERT,
        slug="partner-cert",
        name_en="Northern Partner CERT",
        name_ja="",
    )
    return case_actions.create_case(
        actor=User.objects.get(username="clerk"),
        coordinator_org=Organisation.objects.get(slug="coordination"),
        reception_org=Organisation.objects.get(slug="reception"),
        origin=CaseOrigin.REPORT,
        title_ja=TITLE_JA,
        title_en=TITLE_EN,
        finder_name=FINDER_NAME,
        finder_email=FINDER_EMAIL,
        first_vulnerability={
            "title_ja": TITLE_JA,
            "title_en": TITLE_EN,
            "description_ja": DESCRIPTION_JA,
            "cwe_id": "CWE-325",
            "cvss_v3_vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
        },
    )


def participant(case: Case, slug: str) -> Participant:
    return Participant.objects.get(case=case, organisation__slug=slug, removed_at__isnull=True)


def downstream_slug(index: int) -> str:
    return Organisation.objects.get(name_en=downstream_name(index)[1]).slug


def portal_status(
    page: Page, lang: Lang, status: str, *, statement: str, statement_ja: str = "", **extra: str
) -> None:
    statuses = page.locator("section#statuses")
    field(statuses, lang.t("Vulnerability")).select_option(index=1)
    field(statuses, lang.t("Status")).select_option(status)
    if "fixed_in" in extra:
        field(statuses, lang.t("Fixed in version")).fill(extra["fixed_in"])
    if "reason" in extra:
        field(statuses, lang.t("Reason (for “disputed”)")).fill(extra["reason"])
    field(statuses, lang.t("Statement (English)")).fill(statement)
    if statement_ja:
        field(statuses, lang.t("Statement (Japanese)")).fill(statement_ja)
    submit(page, statuses.get_by_role("button", name=lang.t("Save the status")))


def answer_embargo(page: Page, lang: Lang, case: Case) -> None:
    page.goto(lang.url(f"/portal/cases/{case.pk}/"))
    schedule = page.locator("section#schedule")
    schedule.locator("select[name=embargo-answer]").select_option("accept")
    submit(page, schedule.get_by_role("button", name=lang.t("Send the answer")))
    expect(page.locator("section#schedule")).to_contain_text(lang.t(PECState.SIGNATORY.label))


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("people")
def test_library_flaw_with_many_vendors_to_jvnvu_advisory(  # noqa: PLR0912 - one scenario, in order
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], None],
    public_outputs: Callable[[Page], Iterator[tuple[str, str]]],
) -> None:
    lang = Lang(code)
    case = library_world()
    shot = lambda who, step: screenshot(who, f"scenario2-{code}-{step}.png")  # noqa: E731

    # 1. The coordinator finds the upstream project by its product and the downstream
    #    vendors by their group, adds them in one step, then the partner CERT.
    coordinator = page
    coordinator.context.set_extra_http_headers({"Accept-Language": lang.locale})
    sign_in(coordinator, "coordinator", lang)
    coordinator.goto(lang.url(f"/vendors/cases/{case.pk}/find/?q={LIBRARY}"))
    results = coordinator.locator("#vendor-results")
    upstream_row = results.locator("tr", has_text="Helix Open Source Foundation")
    expect(upstream_row).to_contain_text(LIBRARY)
    upstream_row.locator("input[type=checkbox]").check()
    group_row = results.locator("tr", has_text=f"Vendors shipping {LIBRARY}")
    expect(group_row).to_contain_text(lang.t("Individual registration (個別登録)"))
    group_row.locator("input[type=checkbox]").check()
    submit(
        coordinator,
        coordinator.get_by_role("button", name=lang.t("Add the chosen vendors to the case")),
    )
    assert Participant.objects.vendors().filter(case=case).count() == DOWNSTREAM + 3

    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    add = open_action(coordinator, "add")
    field(add, lang.t("Role")).select_option("partner_cert")
    field(add, lang.t("Organisations")).select_option(label="Northern Partner CERT")
    submit(coordinator, add.get_by_role("button", name=lang.t("Add"), exact=True))
    partner = participant(case, "partner-cert")
    # The partner CERT keeps its own report-management state: it has received the report.
    partner_row = coordinator.locator("#participants tr", has_text="Northern Partner CERT")
    submit(coordinator, partner_row.locator("button[name=participants-transition]").first)
    partner.refresh_from_db()
    assert partner.rm_state != RMState.START
    with translation.override(code):
        expect(partner_row).to_contain_text(str(RMState(partner.rm_state).label))
    add_case_product(
        coordinator,
        lang,
        "Helix Open Source Foundation",
        f"{LIBRARY} 1.x",
        versions="1.0.0 – 1.4.1",
        purl=PURL,
    )
    submit(
        coordinator,
        coordinator.get_by_role("button", name=lang.t("Notify every vendor not yet notified")),
    )
    sent = deliver_mail()
    assert len({address for m in sent for address in m.to}) >= DOWNSTREAM + 3
    individual = participant(case, downstream_slug(INDIVIDUAL))
    notice = VendorNotice.objects.get(participant=individual)
    assert not notice.details_included, "個別登録: no details in a multi-vendor case"
    assert not receives_pre_publication(individual)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    expect(coordinator.locator("#participants")).to_contain_text("Northern Partner CERT")
    shot(coordinator, "01-case-many-vendors")

    # 2. The report goes to English: requested by the coordinator, translated in the
    #    side-by-side editor, reviewed by the coordinator.
    coordinator.goto(lang.url(f"/translation/cases/{case.pk}/"))
    request = coordinator.locator("section.panel").first
    field(request, lang.t("translate into")).select_option("en")
    submit(coordinator, request.get_by_role("button", name=lang.t("Request the translation")))
    task = TranslationTask.objects.get(case=case)
    translator = new_page(locale=lang.locale)
    sign_in(translator, "translator", lang)
    translator.goto(lang.url(f"/translation/tasks/{task.pk}/"))
    submit(translator, translator.get_by_role("button", name=lang.t("Start translating")))
    editor = translator.locator("#editor")
    for index, sentence in enumerate(DESCRIPTION_EN, start=1):
        editor.get_by_label(lang.t("Translation of sentence %(n)d", n=index)).fill(sentence)
    shot(translator, "02-translation-editor")
    submit(translator, editor.get_by_role("button", name=lang.t("Save and submit for review")))
    coordinator.goto(lang.url(f"/translation/tasks/{task.pk}/"))
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Approve as reviewed")))
    task.refresh_from_db()
    assert task.status == "reviewed" and task.reviewer.username == "coordinator"

    # 3. The embargo: proposed by the coordinator, every vendor invited to consent.
    target = timezone.localtime(timezone.now() + timedelta(days=45)).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    propose_and_invite(coordinator, lang, case.pk, target)

    # 4. The upstream project accepts and states its fix; the overseas vendor reads
    #    the report in English and asks for more time; a Japanese vendor disputes.
    #    The upstream project and the overseas vendor work in English in either run.
    english = Lang("en")
    upstream = new_page(locale=english.locale)
    sign_in(upstream, "helix", english)
    answer_embargo(upstream, english, case)
    submit(upstream, upstream.get_by_role("button", name=english.t("Acknowledge the notice")))
    portal_status(
        upstream,
        english,
        "fixed",
        fixed_in=FIXED,
        statement=f"Fixed in {LIBRARY} {FIXED}: a ChangeCipherSpec is refused before the key exchange.",
    )

    overseas = new_page(locale=english.locale)
    sign_in(overseas, "northwind", english)
    answer_embargo(overseas, english, case)
    vulnerability = overseas.locator("section#vulnerabilities")
    expect(vulnerability.locator(".translated")).to_contain_text(DESCRIPTION_EN[0])
    original = vulnerability.locator("details.original")
    expect(original.locator("div")).not_to_be_visible()
    original.locator("summary").click()
    expect(original).to_contain_text("ChangeCipherSpec メッセージを受け付けます")
    shot(overseas, "03-overseas-vendor-translation")
    later = target + timedelta(days=14)
    schedule = overseas.locator("section#schedule")
    schedule.locator("input[name=schedule-requested_target]").fill(local_input(later))
    schedule.locator("textarea[name=schedule-reason]").fill(
        "We ship the library in 140 appliance models and need two more weeks to test them."
    )
    submit(overseas, schedule.get_by_role("button", name=english.t("Send the request")))

    disputing = new_page(locale=lang.locale)
    sign_in(disputing, "psirt", lang)
    answer_embargo(disputing, lang, case)
    portal_status(
        disputing,
        lang,
        "disputed",
        reason=DISPUTE,
        statement=STATEMENT_EN,
        statement_ja=STATEMENT_JA,
    )

    # The downstream vendors answer through their own channels (e-mail): the coordinator
    # records their answers on their behalf, saying how each came (two through the page,
    # the others directly to save time). Two stay silent: their deadline passes (the
    # clock moves) and the pocket veto declines them.
    silent = [participant(case, downstream_slug(i)) for i in SILENT]
    by_mail = [participant(case, downstream_slug(i)) for i in (1, 2)]
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    for vendor in by_mail:
        answer = open_action(coordinator, "answer")
        field(answer, lang.t("Participant")).select_option(str(vendor.pk))
        field(answer, lang.t("Answer")).select_option("accept")
        field(answer, lang.t("How and when the answer came")).fill(
            f"By e-mail from psirt@{vendor.organisation.slug}.example"
        )
        submit(coordinator, answer.get_by_role("button", name=lang.p("button", "Record")))
        with translation.override(code):
            name = vendor.display_name()
        told(coordinator, lang.t("The answer of %(participant)s was recorded.", participant=name))
        vendor.refresh_from_db()
        assert vendor.pec_state == PECState.SIGNATORY
    case.refresh_from_db()
    for vendor in Participant.objects.vendors().filter(case=case, pec_state=PECState.INVITED):
        if vendor.pk not in {s.pk for s in silent}:
            case_actions.answer_embargo(case, vendor, actor=None, answer="accept")
    for vendor in silent:
        move_back(Participant, vendor.pk, ("pec_deadline",), timedelta(days=30))
    assert time_out_embargo_invitations.call() == len(SILENT)
    for vendor in silent:
        vendor.refresh_from_db()
        assert vendor.pec_state == PECState.DECLINED
        assert not receives_pre_publication(vendor), "no further details after declining"

    # 5. The coordinator puts the terms in force, grants the large vendor's request and
    #    revises the embargo once; the upstream project accepts the revision.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    embargo = coordinator.locator("#embargo")
    submit(
        coordinator,
        embargo.get_by_role("button", name=lang.p("embargo proposal", "Accept"), exact=True),
    )
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Grant")).first)
    told(coordinator, lang.t("The request was granted; the target publication moved."))
    propose = open_action(coordinator, "propose")
    field(propose, lang.t("Embargo ends at")).fill(local_input(later))
    field(propose, lang.t("Note")).fill("Northwind needs two more weeks.")
    submit(coordinator, propose.get_by_role("button", name=lang.t("Propose"), exact=True))
    answer_embargo(upstream, english, case)
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    embargo = coordinator.locator("#embargo")
    submit(
        coordinator,
        embargo.get_by_role("button", name=lang.p("embargo proposal", "Accept"), exact=True),
    )
    # The upstream's fix came while the first proposal was pending; once the terms are
    # agreed, no banner asks about a proposal any more.
    expect(coordinator.locator("#embargo .banner")).to_have_count(0)
    case.refresh_from_db()
    assert case.target_publication_at == later
    assert case.embargoes.filter(ended_at__isnull=True).get().ends_at == later
    expect(coordinator.locator("#embargo")).to_contain_text(
        lang.t(
            "%(signatory)s signatories, %(invited)s invited, %(lapsed)s lapsed, %(declined)s declined",
        )
        % {
            "signatory": 1,
            "invited": 0,
            "lapsed": DOWNSTREAM + 3 - 1 - len(SILENT),
            "declined": len(SILENT),
        }
    )
    shot(coordinator, "04-embargo-revised")
    deliver_mail()

    # A word to every vendor: the declined and the individually registered get no copy.
    before = len(received())
    coordinator.goto(lang.url(f"/messages/cases/{case.pk}/"))
    broadcast = coordinator.locator("h2#all-vendors + form")
    broadcast.locator("textarea").fill(
        f"The embargo now ends at {later.isoformat()}; please prepare your advisories."
    )
    submit(
        coordinator,
        broadcast.get_by_role("button", name=lang.t("Post to every vendor's private thread")),
    )
    run_pending_jobs()
    run_pending_jobs()
    told_vendors = {a for m in received()[before:] for a in m.to}
    # Vendors with portal members are told at their members' addresses, the others at
    # their registered contact point.
    assert {"helix@demo.kakehashi.invalid", "northwind@demo.kakehashi.invalid"} <= told_vendors
    assert f"psirt@{downstream_slug(1)}.example" in told_vendors
    for vendor in (*silent, individual):
        assert f"psirt@{vendor.organisation.slug}.example" not in told_vendors

    # 6. The statuses approved; the advisory drafted with the partner CERT's note as a
    #    reference; the upstream project gives its advisory's URL and time.
    coordinator.goto(lang.url(f"/cases/{case.pk}/"))
    answers = coordinator.locator("#vendor-answers")
    while answers.get_by_role("button", name=lang.t("Approve")).count():
        submit(coordinator, answers.get_by_role("button", name=lang.t("Approve")).first)
        answers = coordinator.locator("#vendor-answers")
    submit(coordinator, coordinator.get_by_role("button", name=lang.t("Draft the advisory")))
    advisory = Advisory.objects.get(case=case)
    assert advisory.advisory_id.startswith("JVNVU#"), advisory.advisory_id
    coordinator.goto(lang.url(f"/advisories/desk/{advisory.pk}/"))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        references = column.locator("textarea[name$=references]")
        references.fill(f"{references.input_value()}\n- Northern Partner CERT: <{PARTNER_NOTE}>")
        submit(coordinator, column.get_by_role("button", name=lang.t("Save"), exact=True))

    upstream.goto(english.url(f"/advisories/review/cases/{case.pk}/"))
    review = upstream.locator(
        "form", has=upstream.get_by_role("button", name=english.t("Send the answer"))
    )
    review.get_by_label(english.t("Confirmed"), exact=True).check()
    field(review, english.t("URL of your advisory")).fill(UPSTREAM_ADVISORY)
    field(review, english.t("When your advisory is published")).fill(local_input(later))
    submit(upstream, review.get_by_role("button", name=english.t("Send the answer")))

    coordinator.goto(lang.url(f"/advisories/desk/{advisory.pk}/"))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        version = advisory.texts.get(language=language).version
        approve = lang.t("Approve version %(version)s", version=version)
        submit(coordinator, column.get_by_role("button", name=approve))
    advisory.refresh_from_db()
    assert advisory.state == "scheduled", advisory.state
    assert advisory.scheduled_for == later
    # Scheduled under embargo: no public output knows of it yet.
    for path, body in public_outputs(page):
        for secret in (advisory.advisory_id, TITLE_EN, TITLE_JA, LIBRARY):
            assert secret not in body, (path, secret)

    # 7. The embargo instant: the advisory goes out with the upstream's and the partner's.
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(seconds=1)):
        assert publish_due_advisories.call() >= 1
        run_pending_jobs()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.state == "published"

    # 8. Every public output.
    anonymous = new_page(locale=lang.locale)
    for language in ("ja", "en"):
        anonymous.goto(f"/{language}/advisories/{advisory.slug}/")
        main = anonymous.locator("main")
        expect(main).to_contain_text(advisory.advisory_id)
        vendors = main.locator("#vendors")
        expect(vendors.locator("tr", has_text="Helix Open Source Foundation")).to_contain_text(
            FIXED
        )
        expect(vendors.locator(f"a[href='{UPSTREAM_ADVISORY}']")).to_have_count(1)
        sakura = "さくらネットワーク機器株式会社" if language == "ja" else "Sakura Network Devices"
        disputed_row = vendors.locator("tr", has_text=sakura)
        expect(disputed_row).to_contain_text(Lang(language).t("Disputed"))
        expect(disputed_row).to_contain_text(DISPUTE)
        # The vendor's statement, in each page's language.
        expect(disputed_row).to_contain_text(STATEMENT_JA if language == "ja" else STATEMENT_EN)
        quiet = downstream_name(SILENT[0])[0 if language == "ja" else 1]
        expect(vendors.locator("tr", has_text=quiet)).to_contain_text(Lang(language).t("Unknown"))
        expect(vendors.locator("tbody tr")).to_have_count(DOWNSTREAM + 3)
        expect(main.locator(f"a[href='{PARTNER_NOTE}']")).not_to_have_count(0)
        if language == "en":  # the reviewed translation, not the Japanese original
            expect(main).to_contain_text(DESCRIPTION_EN[0])
            expect(main).not_to_contain_text("ChangeCipherSpec メッセージを受け付けます")
        if language == code:
            shot(anonymous, "05-jvnvu-advisory")
    texts = {
        "atom": anonymous.request.get(lang.url("/feeds/advisories.atom")).text(),
        "jvnrss": anonymous.request.get("/feeds/jvnrss.xml").text(),
        "jvnrss_en": anonymous.request.get("/feeds/jvnrss.en.xml").text(),
        "vuldef": anonymous.request.get(f"/advisories/{advisory.slug}/vuldef.xml").text(),
        "csaf": anonymous.request.get(f"/advisories/{advisory.slug}/csaf.json").text(),
        "osv": anonymous.request.get("/advisories/osv.json").text(),
    }
    for name in ("atom", "jvnrss", "jvnrss_en", "vuldef", "csaf"):
        assert advisory.advisory_id in texts[name], name
    csaf = json.loads(texts["csaf"])
    assert csaf["document"]["tracking"]["status"] == "final"
    statuses = csaf["vulnerabilities"][0]["product_status"]
    # The library's affected range, the upstream fix, the disputing vendor's product; the
    # vendors whose status is unknown name no product, so CSAF has nothing to say of them.
    assert set(statuses) == {"known_affected", "fixed", "known_not_affected"}, statuses
    assert DISPUTE in texts["csaf"]
    osv = [d for d in json.loads(texts["osv"]) if advisory.slug in d["id"]]
    assert len(osv) == 1, texts["osv"]
    (package,) = [a for a in osv[0]["affected"] if a["package"].get("purl") == PURL]
    assert package["package"]["ecosystem"] == "crates.io"
    assert {"fixed": FIXED} in package["ranges"][0]["events"]
    assert export_problems(advisory.current_revision) == []  # OSV, CSAF, VULDEF validators
    for name, text in texts.items():
        for secret in (FINDER_NAME, FINDER_EMAIL):
            assert secret not in text, (name, secret)
    assert partner.pk
