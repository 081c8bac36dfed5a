"""The screens through the interface, one persona per role: who sees which task, the
editor's POSTs and their refusals, requesting from a thread, the recipient's view
with the original one click away, and the glossary."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.core.models import AuditEvent
from kakehashi.translation import actions
from kakehashi.translation.choices import TaskStatus
from kakehashi.translation.models import GlossaryTerm, TranslationTask

from .conftest import JA_MESSAGE, translate_all

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"translation:{name}", kwargs=kwargs)


# --- who sees what ---------------------------------------------------------


def test_translator_sees_assigned_queue_and_review_but_not_others_work(
    case, vulnerability, message, world, client_for
):
    coordinator = world.user("coordinator")
    mine = actions.request_translation(
        coordinator,
        case,
        kind="vulnerability",
        source_id=vulnerability.pk,
        target_language="en",
        assignee=world.user("translator"),
    )
    queued = actions.request_translation(
        coordinator, case, kind="message", source_id=message.pk, target_language="en"
    )
    from kakehashi.messaging import actions as messaging_actions
    from kakehashi.messaging.access import access_thread

    _viewer, ref = access_thread(coordinator, case.pk, "general")
    english = messaging_actions.post_message(ref, actor=coordinator, body="Please confirm.")
    others = actions.request_translation(
        coordinator,
        case,
        kind="message",
        source_id=english.pk,
        target_language="ja",
        assignee=world.user("admin"),
    )
    page = client_for("translator").get(url("tasks"))
    assert page.status_code == 200
    shown = {t.pk for group in ("mine", "queue", "review", "others") for t in page.context[group]}
    assert shown == {mine.pk, queued.pk}
    assert client_for("translator").get(url("task", task_id=others.pk)).status_code == 404
    assert client_for("coordinator").get(url("task", task_id=others.pk)).status_code == 200


@pytest.mark.parametrize(
    "persona",
    ["psirt", "vendoradmin", "other_vendor", "finder", "clerk", "cna", "committee", "outsider"],
)
def test_only_translation_staff_of_the_case_open_a_task(task, client_for, persona):
    assert client_for(persona).get(url("task", task_id=task.pk)).status_code == 404
    assert (
        client_for(persona)
        .post(url("start", task_id=task.pk), {"version": task.version})
        .status_code
        == 404
    )
    assert TranslationTask.objects.get(pk=task.pk).status == TaskStatus.REQUESTED


def test_a_translator_of_another_coordination_cannot_open_the_task(task, client_for):
    from django.test import Client

    from kakehashi.accounts.choices import OrganisationKind, Role
    from kakehashi.accounts.models import Membership, Organisation, User

    other = Organisation.objects.create(
        slug="other-cc", kind=OrganisationKind.COORDINATOR, name_en="Other", mfa_required=False
    )
    stranger = User.objects.create_user(username="stranger", email="s@example.test")
    Membership.objects.create(user=stranger, organisation=other, role=Role.TRANSLATOR)
    client = Client()
    client.force_login(stranger)
    assert client.get(url("task", task_id=task.pk)).status_code == 404
    assert client.get(url("case", case_id=task.case_id)).status_code == 404
    assert client.get(url("tasks")).context["queue"] == []


# --- the editor --------------------------------------------------------------


def test_editor_shows_sentences_side_by_side_with_glossary_marks(task, client_for):
    client = client_for("translator")
    client.post(url("start", task_id=task.pk), {"version": task.version})
    page = client.get(url("task", task_id=task.pk))
    html = page.content.decode()
    assert len(page.context["rows"]) == 3
    assert '<mark class="term" title="vulnerability">脆弱性</mark>' in html
    assert 'name="sentence_2"' in html


def test_translate_save_submit_and_review_through_the_screens(task, client_for, world):
    translator = client_for("translator")
    assert (
        translator.post(url("start", task_id=task.pk), {"version": task.version}).status_code == 302
    )
    task.refresh_from_db()
    data = {
        "version": task.version,
        "sentence_0": "One.",
        "sentence_1": "Two.",
        "sentence_2": "Three.",
        "submit": "1",
    }
    response = translator.post(url("save", task_id=task.pk), data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    # The translator may not review their own work; the coordinator may.
    refused = translator.post(url("review", task_id=task.pk), {"version": task.version})
    assert refused.status_code == 400
    ok = client_for("coordinator").post(
        url("review", task_id=task.pk), {"version": task.version, "note": "ok"}
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.REVIEWED


def test_a_refused_submission_keeps_what_was_typed_and_saves_nothing(task, client_for):
    client = client_for("translator")
    client.post(url("start", task_id=task.pk), {"version": task.version})
    task.refresh_from_db()
    data = {"version": task.version, "sentence_0": "Only the first.", "submit": "1"}
    response = client.post(url("save", task_id=task.pk), data)
    assert response.status_code == 400
    assert "Only the first." in response.content.decode()
    assert "Translate every sentence" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.segments == ["", "", ""]


def test_a_stale_form_answers_409(task, client_for):
    client = client_for("translator")
    client.post(url("start", task_id=task.pk), {"version": task.version})
    response = client.post(
        url("save", task_id=task.pk), {"version": task.version, "sentence_0": "x"}
    )
    assert response.status_code == 409


def test_return_without_a_note_is_refused(task, client_for, world):
    task = translate_all(task, world.user("translator"))
    response = client_for("coordinator").post(
        url("return", task_id=task.pk), {"version": task.version, "note": ""}
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_the_editor_shows_memory_suggestions(case, task, client_for, world):
    task = translate_all(
        task, world.user("translator"), ["Vulnerable login.", "Disable it.", "Fix."]
    )
    actions.review_task(task, world.user("coordinator"), version=task.version)
    again = actions.request_translation(
        world.user("coordinator"),
        case,
        kind="vulnerability",
        source_id=task.source_id,
        target_language="en",
        assignee=world.user("translator"),
    )
    client = client_for("translator")
    client.post(url("start", task_id=again.pk), {"version": again.version})
    page = client.get(url("task", task_id=again.pk))
    assert page.context["rows"][0].suggestions[0].target == "Vulnerable login."
    assert 'data-text="Vulnerable login."' in page.content.decode()


def test_the_task_warns_when_the_original_changed(task, client_for, vulnerability, world):
    from kakehashi.cases import actions as case_actions

    case_actions.update_vulnerability(
        vulnerability, actor=world.user("coordinator"), description_ja="別の文です。"
    )
    page = client_for("translator").get(url("task", task_id=task.pk))
    assert "has changed since the request" in page.content.decode()


def test_coordinator_reassigns_and_changes_the_due_date(task, client_for, world):
    from datetime import timedelta

    client = client_for("coordinator")
    response = client.post(
        url("assign", task_id=task.pk),
        {"version": task.version, "assignee": world.user("admin").pk},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == world.user("admin")
    due = task.due_on + timedelta(days=3)
    assert (
        client.post(
            url("due", task_id=task.pk), {"version": task.version, "due_on": due.isoformat()}
        ).status_code
        == 302
    )
    task.refresh_from_db()
    assert task.due_on == due
    bad = client.post(
        url("assign", task_id=task.pk),
        {"version": task.version, "assignee": world.user("psirt").pk},
    )
    assert bad.status_code == 400


def test_cancel_by_the_coordinator(task, client_for):
    assert (
        client_for("translator")
        .post(url("cancel", task_id=task.pk), {"version": task.version})
        .status_code
        == 400
    )
    assert (
        client_for("coordinator")
        .post(url("cancel", task_id=task.pk), {"version": task.version})
        .status_code
        == 302
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_machine_button_refused_when_off(task, client_for, settings):
    settings.KAKEHASHI_MT_URL = ""
    client = client_for("translator")
    client.post(url("start", task_id=task.pk), {"version": task.version})
    task.refresh_from_db()
    response = client.post(url("machine", task_id=task.pk), {"version": task.version})
    assert response.status_code == 400
    assert "not configured" in response.content.decode()


def test_machine_status_asks_htmx_to_reload_once_finished(task, client_for):
    response = client_for("translator").get(url("machine_status", task_id=task.pk))
    assert response["HX-Refresh"] == "true"


# --- requesting --------------------------------------------------------------


def test_coordinator_requests_a_message_translation_from_the_thread(case, message, client_for):
    thread = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": "general"})
    page = client_for("coordinator").get(thread).content.decode()
    link = f"{url('case', case_id=case.pk)}?kind=message&amp;source={message.pk}"
    assert link in page
    # A vendor reading the same thread gets no such link.
    assert "Request translation" not in client_for("psirt").get(thread).content.decode()
    form = client_for("coordinator").get(
        url("case", case_id=case.pk), {"kind": "message", "source": message.pk}
    )
    assert JA_MESSAGE in form.content.decode()
    response = client_for("coordinator").post(
        url("request", case_id=case.pk),
        {
            "kind": "message",
            "source_id": message.pk,
            "target_language": "en",
            "assignee": "",
            "due_on": "",
            "note": "Urgent",
        },
    )
    task = TranslationTask.objects.get()
    assert response["Location"] == url("task", task_id=task.pk)
    assert task.source_text == JA_MESSAGE and task.request_note == "Urgent"


def test_a_bad_request_shows_the_reason_and_creates_nothing(case, vulnerability, client_for):
    response = client_for("coordinator").post(
        url("request", case_id=case.pk),
        {"kind": "vulnerability", "source_id": vulnerability.pk, "target_language": "ja"},
    )
    assert response.status_code == 400
    assert "no English text" in response.content.decode()
    assert not TranslationTask.objects.exists()


def test_translators_cannot_request(case, vulnerability, client_for):
    response = client_for("translator").post(
        url("request", case_id=case.pk),
        {"kind": "vulnerability", "source_id": vulnerability.pk, "target_language": "en"},
    )
    assert response.status_code == 404
    assert not TranslationTask.objects.exists()


def test_the_case_page_panel_lists_the_tasks(task, client_for):
    page = client_for("coordinator").get(reverse("cases:detail", kwargs={"case_id": task.case_id}))
    assert url("task", task_id=task.pk) in page.content.decode()


# --- the recipient -----------------------------------------------------------


def _done_message_task(case, message, world):
    task = actions.request_translation(
        world.user("coordinator"), case, kind="message", source_id=message.pk, target_language="en"
    )
    return translate_all(
        task, world.user("translator"), ["Day zero is today.", "Please <b>agree</b> the date."]
    )


def test_the_vendor_reads_the_translation_with_the_original_one_click_away(
    case, message, world, client_for
):
    task = _done_message_task(case, message, world)
    thread = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": "general"})
    html = client_for("psirt").get(thread).content.decode()
    assert "Day zero is today." in html
    assert "not yet reviewed" in html
    assert '<details class="original">' in html
    assert JA_MESSAGE in html  # inside the <details>
    assert "<b>agree</b>" not in html and "&lt;b&gt;agree&lt;/b&gt;" in html
    actions.review_task(task, world.user("coordinator"), version=task.version)
    html = client_for("psirt").get(thread).content.decode()
    assert "not yet reviewed" not in html


def test_a_requested_translation_is_not_shown_yet(case, message, world, client_for):
    actions.request_translation(
        world.user("coordinator"), case, kind="message", source_id=message.pk, target_language="en"
    )
    thread = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": "general"})
    html = client_for("psirt").get(thread).content.decode()
    assert "Show the original" not in html


def test_japanese_readers_see_the_original_only(case, message, world, client_for):
    _done_message_task(case, message, world)
    thread = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": "general"}).replace(
        "/en/", "/ja/"
    )
    psirt = client_for("psirt")
    html = psirt.get(thread).content.decode()
    assert "Day zero is today." not in html


def test_the_vendor_portal_shows_the_translated_report_text(
    case, vulnerability, task, world, client_for
):
    translate_all(
        task,
        world.user("translator"),
        ["The login screen is vulnerable.", "Disable it.", "A fix follows."],
    )
    page = client_for("psirt").get(reverse("portal:case", kwargs={"case_id": case.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The login screen is vulnerable." in html
    assert "Show the original" in html


def test_the_recipient_is_told_when_the_original_changed(case, message, world, client_for):
    from kakehashi.messaging import actions as messaging_actions

    _done_message_task(case, message, world)
    messaging_actions.edit_message(
        message, actor=world.user("coordinator"), body="新しい本文です。", version=message.version
    )
    thread = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": "general"})
    assert "the original has changed" in client_for("psirt").get(thread).content.decode()


# --- the glossary ------------------------------------------------------------


def test_glossary_crud_is_audited(client_for):
    client = client_for("translator")
    assert (
        client.post(url("glossary_add"), {"term_ja": "緩和策", "term_en": "mitigation"}).status_code
        == 302
    )
    term = GlossaryTerm.objects.get(term_ja="緩和策")
    duplicate = client.post(url("glossary_add"), {"term_ja": "緩和策", "term_en": "mitigation"})
    assert duplicate.status_code == 400
    assert "already in the glossary" in duplicate.content.decode()
    assert (
        client.post(
            url("glossary_term", term_id=term.pk), {"term_ja": "緩和策", "term_en": "mitigations"}
        ).status_code
        == 302
    )
    term.refresh_from_db()
    assert term.term_en == "mitigations"
    assert client.post(url("glossary_delete", term_id=term.pk)).status_code == 302
    assert not GlossaryTerm.objects.filter(pk=term.pk).exists()
    actions_seen = set(
        AuditEvent.objects.filter(action__startswith="glossary.").values_list("action", flat=True)
    )
    assert actions_seen == {"glossary.added", "glossary.changed", "glossary.deleted"}


def test_an_empty_term_is_refused(client_for):
    response = client_for("coordinator").post(url("glossary_add"), {"term_ja": " ", "term_en": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["psirt", "finder", "clerk", "cna"])
def test_others_cannot_change_the_glossary(client_for, persona):
    term = GlossaryTerm.objects.first()
    assert (
        client_for(persona).post(url("glossary_add"), {"term_ja": "x", "term_en": "y"}).status_code
        == 404
    )
    assert client_for(persona).post(url("glossary_delete", term_id=term.pk)).status_code == 404
    assert GlossaryTerm.objects.filter(pk=term.pk).exists()


def test_a_glossary_term_with_markup_is_shown_as_text(client_for, task):
    actions.save_term(None, term_ja="<script>x</script>脆弱", term_en="<img src=x>")
    html = client_for("translator").get(url("glossary")).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
