"""SCENARIOS.md 4 — zero-day: an exploit is public before coordination ends (JVNTA#).

A case is under embargo with one vendor (set up directly, as earlier weeks of
coordination would have left it). A proof of concept appears on a public repository and
attacks are reported: the coordinator records X (exploit public) and A (attacks
observed) on the case page. The embargo ends at once, every participant is told why by
mail, and no new embargo can be proposed (the form is gone and the product refuses).
The coordinator drafts an urgent alert from the case, writes the workarounds in both
languages, chooses "at once" and approves both languages: the alert is public the same
day. When the vendor ships a fix it records its status in the portal, the coordinator
approves it and publishes revision 2, which the history, the feeds and CSAF show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from kakehashi.accounts.models import Organisation, User
from kakehashi.advisories.models import Advisory
from kakehashi.advisories.tasks import publish_due_advisories
from kakehashi.cases import actions
from kakehashi.cases.models import Case, Participant
from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.workflow import GuardFailed, TransitionNotAllowed

from .steps import Lang, deliver_mail, field, open_action, sign_in, submit

pytestmark = pytest.mark.browser

PSIRT_EMAIL = "psirt@demo.kakehashi.invalid"
NAS = "SakuraNAS SN-400"
POC_URL = "https://github.example/someone/sn400-rce-poc"
WORKAROUND = {
    "ja": "管理画面 (TCP 8443) へのアクセスを信頼できるネットワークに限定してください。",
    "en": "Allow access to the admin interface (TCP 8443) from trusted networks only.",
}
REVISION_NOTE = {
    "ja": "修正版 5.1.3 の公開に伴い、対策を更新しました。",
    "en": "Updated the solution: the fixed version 5.1.3 is released.",
}


def embargoed_case() -> tuple[Case, Participant]:
    """Weeks of coordination, as they would have left the case: the vendor notified and
    acknowledged, a product and a vulnerability, an embargo in force it agreed to."""
    coordinator = User.objects.get(username="coordinator")
    psirt = User.objects.get(username="psirt")
    case = actions.create_case(
        actor=coordinator,
        coordinator_org=Organisation.objects.get(slug="coordination"),
        reception_org=Organisation.objects.get(slug="reception"),
        title_ja=f"{NAS} におけるOSコマンドインジェクション",
        title_en=f"OS command injection in {NAS}",
    )
    (vendor,) = actions.add_participants(
        case,
        actor=coordinator,
        role="vendor",
        organisations=[Organisation.objects.get(slug="sakura-network")],
    )
    actions.add_vulnerability(
        Case.objects.get(pk=case.pk),
        actor=coordinator,
        title_ja="管理画面における OS コマンドインジェクション",
        title_en="OS command injection in the admin interface",
        description_ja="細工された HTTP リクエストにより、認証なしに任意のコマンドが実行されます。",
        description_en="A crafted HTTP request runs any command without authentication.",
        cwe_id="CWE-78",
        cvss_v3_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    actions.add_product(
        Case.objects.get(pk=case.pk), vendor, actor=coordinator, name=NAS, versions="5.0.0 – 5.1.2"
    )
    actions.record_contact_attempt(
        Case.objects.get(pk=case.pk),
        vendor,
        actor=coordinator,
        channel="email",
        address="psirt@sakura.example",
        details_included=True,
        outcome="acknowledged",
    )
    proposal = actions.propose_embargo(
        Case.objects.get(pk=case.pk), actor=coordinator, ends_at=timezone.now() + timedelta(days=40)
    )
    actions.accept_embargo(Case.objects.get(pk=case.pk), proposal, actor=coordinator)
    actions.invite_to_embargo(Case.objects.get(pk=case.pk), [vendor], actor=coordinator)
    actions.answer_embargo(Case.objects.get(pk=case.pk), vendor, actor=psirt, answer="accept")
    deliver_mail()
    case = Case.objects.get(pk=case.pk)
    assert case.embargo_in_force
    return case, Participant.objects.get(pk=vendor.pk)


def record_world_event(page: Page, lang: Lang, event: str, source: str) -> None:
    form = open_action(page, "event")
    form.locator("select[name=event-event]").select_option(event)
    field(form, lang.t("Source")).fill(source)
    submit(page, form.locator("button[type=submit]"))


@pytest.mark.parametrize("code", ["ja", "en"])
@pytest.mark.usefixtures("people")
def test_exploit_public_ends_the_embargo_and_an_alert_goes_out_the_same_day(
    code: str,
    page: Page,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], None],
) -> None:
    lang = Lang(code)
    shot = lambda who, step: screenshot(who, f"scenario4-{code}-{step}.png")  # noqa: E731
    case, _vendor = embargoed_case()
    case_path = lang.url(f"/cases/{case.pk}/")

    # 1. The coordinator records X and A: the embargo ends at once, no new one offered.
    coordinator = page
    coordinator.context.set_extra_http_headers({"Accept-Language": lang.locale})
    sign_in(coordinator, "coordinator", lang)
    coordinator.goto(case_path)
    expect(coordinator.locator("#act-propose")).to_have_count(1)  # a revision could be offered
    record_world_event(coordinator, lang, "X", POC_URL)
    record_world_event(coordinator, lang, "A", "JPCERT/CC incident reports")
    case.refresh_from_db()
    assert not case.embargo_in_force and case.pxa == "PXA", case.pxa
    embargo = coordinator.locator("#embargo")
    with translation.override(code):
        ended = str(case.get_em_state_display())
    expect(embargo).to_contain_text(ended)
    expect(coordinator.locator("#act-propose")).to_have_count(0)
    with pytest.raises(
        (GuardFailed, TransitionNotAllowed)
    ):  # and the product refuses it, whatever the screen
        actions.propose_embargo(
            case,
            actor=User.objects.get(username="coordinator"),
            ends_at=timezone.now() + timedelta(days=10),
        )
    told = [m for m in deliver_mail() if PSIRT_EMAIL in m.to]
    assert told, "every participant is told the embargo ended"
    reason = {"ja": "エクスプロイト", "en": "An exploit became public"}
    assert any(case.reference in m.body for m in told)
    assert any(
        reason["ja"] in m.body or reason["en"] in m.body or "exploit" in m.body.lower()
        for m in told
    ), [m.body for m in told]
    shot(coordinator, "01-embargo-ended")

    # 2. The urgent alert, drafted from the case, workarounds in both languages, at once.
    panel = coordinator.locator("#advisory")
    panel.locator("select[name=kind]").select_option("alert")
    submit(coordinator, panel.get_by_role("button", name=lang.t("Draft the advisory")))
    advisory = Advisory.objects.get(case=case)
    assert advisory.advisory_id.startswith("JVNTA#"), advisory.advisory_id
    editor_path = lang.url(f"/advisories/desk/{advisory.pk}/")
    coordinator.goto(editor_path)
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        solution = field(column, lang.t("Solution"))
        drafted = solution.input_value()
        assert "\n- \n" in drafted, drafted  # the draft leaves a line for the workarounds
        solution.fill(drafted.replace("\n- \n", f"\n- {WORKAROUND[language]}\n", 1))
        submit(coordinator, column.get_by_role("button", name=lang.t("Save"), exact=True))
    timing = coordinator.locator("#alert-timing")
    timing.locator("input[name=when][value=now]").check()
    submit(coordinator, timing.get_by_role("button", name=lang.t("Save the time")))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        submit(
            coordinator,
            column.get_by_role("button", name=lang.t("Approve version %(version)s", version=2)),
        )
    advisory.refresh_from_db()
    assert advisory.state == "scheduled", advisory.state
    assert advisory.scheduled_for is not None
    assert timezone.localdate(advisory.scheduled_for) == timezone.localdate()
    shot(coordinator, "02-alert-approved")
    publish_due_advisories.call()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.state == "published", advisory.state

    anonymous = new_page(locale=lang.locale)
    for language in ("ja", "en"):
        anonymous.goto(f"/{language}/advisories/{advisory.slug}/")
        main = anonymous.locator("main")
        expect(main).to_contain_text(advisory.advisory_id)
        expect(main).to_contain_text(WORKAROUND[language])
    shot(anonymous, "03-alert-public")

    # 3. The fix ships: the vendor says so in the portal, the coordinator approves it
    #    and publishes revision 2.
    psirt = new_page(locale=lang.locale)
    sign_in(psirt, "psirt", lang)
    psirt.goto(lang.url(f"/portal/cases/{case.pk}/"))
    statuses = psirt.locator("section#statuses")
    field(statuses, lang.t("Vulnerability")).select_option(index=1)
    field(statuses, lang.t("Status")).select_option("fixed")
    field(statuses, lang.t("Fixed in version")).fill("5.1.3")
    field(statuses, lang.t("Statement (Japanese)")).fill("修正版 5.1.3 を公開しました。")
    field(statuses, lang.t("Statement (English)")).fill("Fixed in 5.1.3, released today.")
    submit(psirt, statuses.get_by_role("button", name=lang.t("Save the status")))
    expect(psirt.locator("section#statuses")).to_contain_text("5.1.3")

    coordinator.goto(case_path)
    answers = coordinator.locator("#vendor-answers")
    submit(coordinator, answers.get_by_role("button", name=lang.t("Approve")).first)
    coordinator.goto(editor_path)
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        field(column, lang.t("Revision history entry")).fill(REVISION_NOTE[language])
        submit(coordinator, column.get_by_role("button", name=lang.t("Save"), exact=True))
    for language in ("ja", "en"):
        column = coordinator.locator(f"section[lang={language}]")
        approve = column.get_by_role(
            "button", name=lang.t("Approve version %(version)s", version=3)
        )
        submit(coordinator, approve)
    publish_due_advisories.call()
    run_pending_jobs()
    advisory.refresh_from_db()
    assert advisory.revisions.count() == 2
    shot(coordinator, "04-revision-2")

    # 4. Every public output shows revision 2; nothing of the embargoed case leaks.
    for language in ("ja", "en"):
        anonymous.goto(f"/{language}/advisories/{advisory.slug}/")
        main = anonymous.locator("main")
        expect(main).to_contain_text(REVISION_NOTE[language])
        expect(main).to_contain_text("5.1.3")
    shot(anonymous, "05-revision-2-public")
    request = anonymous.request
    csaf = json.loads(request.get(f"/advisories/{advisory.slug}/csaf.json").text())
    tracking = csaf["document"]["tracking"]
    assert tracking["version"] == "2", tracking
    assert [entry["number"] for entry in tracking["revision_history"]] == ["1", "2"]
    assert "5.1.3" in json.dumps(csaf)
    for path in (
        lang.url("/feeds/advisories.atom"),
        "/feeds/jvnrss.xml",
        "/feeds/jvnrss.en.xml",
        f"/advisories/{advisory.slug}/vuldef.xml",
        lang.url("/advisories/?kind=alert"),
    ):
        body = request.get(path).text()
        assert advisory.advisory_id in body, path
    vuldef = request.get(f"/advisories/{advisory.slug}/vuldef.en.xml").text()
    assert REVISION_NOTE["en"] in vuldef
    for path in ("/feeds/jvnrss.xml", lang.url("/feeds/advisories.atom")):
        assert case.reference not in request.get(path).text(), path
