"""Finding, adding and notifying vendors from a case, and vendor groups, through the
pages: who may, how a refusal looks (400 or 404, the reason shown, nothing changed)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kakehashi.accounts.choices import OrganisationKind
from kakehashi.accounts.models import Organisation
from kakehashi.cases import actions as case_actions
from kakehashi.cases.models import ContactAttempt, Participant
from kakehashi.core.testing import run_pending_jobs
from kakehashi.vendors import actions
from kakehashi.vendors.choices import ContactKind, NoticeState, RegistrationType
from kakehashi.vendors.models import VendorGroup, VendorNotice

pytestmark = pytest.mark.django_db

# Everyone but the case's coordinators (coordinator, admin) is told "not found".
NOT_COORDINATORS = ["clerk", "cna", "translator", "committee", "psirt", "other_vendor", "outsider"]


@pytest.fixture
def partner(world):
    return Organisation.objects.create(
        slug="cert-x", kind=OrganisationKind.PARTNER_CERT, name_en="CERT X", name_ja="CERT X"
    )


@pytest.fixture
def case(world, coordinator, profile_a, profile_b, partner):
    actions.update_profile(
        coordinator, profile_b, overseas=True, coordinating_partner=partner,
        registration_type=RegistrationType.INDIVIDUAL,
    )  # fmt: skip
    actions.add_contact_point(coordinator, profile_a, kind=ContactKind.EMAIL, value="a@a.test")
    actions.add_contact_point(coordinator, profile_b, kind=ContactKind.EMAIL, value="b@b.test")
    actions.add_contact_point(coordinator, profile_b, kind=ContactKind.FAX, value="+81 3 1111")
    return case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Flaw in a shared library",
    )


@pytest.fixture
def group(coordinator, profile_a, profile_b):
    return actions.save_group(
        coordinator, name_ja="共有ライブラリ利用各社", name_en="Library users",
        members=[profile_a, profile_b],
    )  # fmt: skip


def url(name: str, case) -> str:
    return reverse(f"vendors:{name}", kwargs={"case_id": case.pk})


def vendors_of(case) -> set[str]:
    return set(
        Participant.objects.vendors().filter(case=case).values_list("organisation__slug", flat=True)
    )


def add(client, case, organisations=(), groups=()):
    case.refresh_from_db()
    return client.post(
        url("case_add", case),
        {
            "vendors-revision": case.revision,
            "vendors-organisations": [o.pk for o in organisations],
            "vendors-groups": [g.pk for g in groups],
        },
    )


# -- finding vendors ------------------------------------------------------------------------


def test_search_shows_groups_individual_registration_keys_and_the_partner(  # noqa: PLR0917
    client_for, world, case, group, coordinator, profile_a, vendor_keys
):
    actions.add_key(coordinator, profile_a, vendor_keys["good"].public)
    response = client_for("coordinator").get(url("case_find", case), {"q": "vendor"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vendor A" in page and "Vendor B" in page
    assert "Individual registration (個別登録)" in page
    assert "Coordinated through CERT X" in page
    assert page.count("The notice will carry no vulnerability details.") == 1  # B: no key
    response = client_for("coordinator").get(
        url("case_find", case), {"q": "library"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page  # the results alone, for htmx
    assert f'name="vendors-groups" value="{group.pk}"' in page


def test_a_vendor_already_in_the_case_cannot_be_ticked(client_for, world, case, coordinator):
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    page = client_for("coordinator").get(url("case_find", case), {"q": "vendor a"}).content
    assert "Already in the case" in page.decode()
    assert "This case already has vendors" not in page.decode()  # vendor A is general


# -- adding them ----------------------------------------------------------------------------


def test_vendors_and_groups_are_added_in_one_post_once_each(client_for, world, case, group):
    response = add(client_for("coordinator"), case, [world.organisations["vendor-a"]], [group])

    assert response.status_code == 302
    assert vendors_of(case) == {"vendor-a", "vendor-b"}
    assert Participant.objects.vendors().filter(case=case).count() == 2


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_the_coordinator_adds_vendors(client_for, world, case, persona):
    response = add(client_for(persona), case, [world.organisations["vendor-a"]])
    assert response.status_code == 404
    assert vendors_of(case) == set()


def test_vendors_and_groups_from_nowhere_are_refused(client_for, world, case):
    client = client_for("coordinator")
    case.refresh_from_db()
    for field in ("vendors-organisations", "vendors-groups"):
        response = client.post(
            url("case_add", case), {"vendors-revision": case.revision, field: [987654]}
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    finder_org = world.organisations["finders"]
    response = add(client, case, [finder_org])
    assert response.status_code == 400
    response = add(client, case)
    assert response.status_code == 400
    assert "Choose at least one vendor or vendor group." in response.content.decode()
    assert vendors_of(case) == set()


def test_a_vendor_already_in_the_case_is_refused(client_for, world, case, coordinator):
    case_actions.add_participants(
        case, actor=coordinator, role="vendor", organisations=[world.organisations["vendor-a"]]
    )
    response = add(
        client_for("coordinator"),
        case,
        [world.organisations["vendor-a"], world.organisations["vendor-b"]],
    )
    assert response.status_code == 400
    assert "Already in the case: Vendor A." in response.content.decode()
    assert vendors_of(case) == {"vendor-a"}


def test_an_empty_group_is_refused(client_for, case, coordinator):
    empty = actions.save_group(coordinator, name_ja="空", name_en="Empty")
    response = add(client_for("coordinator"), case, groups=[empty])
    assert response.status_code == 400
    assert "has no members" in response.content.decode()


# -- notifying them -------------------------------------------------------------------------


@pytest.fixture
def with_vendors(client_for, world, case, group):
    add(client_for("coordinator"), case, groups=[group])
    case.refresh_from_db()
    return case


def notify_post(client, case, scope="all", participants=()):
    case.refresh_from_db()
    return client.post(
        url("case_notify", case),
        {
            "notify-revision": case.revision,
            "notify-scope": scope,
            "notify-participants": [p.pk for p in participants],
        },
    )


def test_notify_returns_at_once_and_the_page_shows_each_vendor(
    client_for, with_vendors, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = notify_post(client, with_vendors)
    assert response.status_code == 302
    assert VendorNotice.objects.filter(case=with_vendors, state=NoticeState.QUEUED).count() == 2
    assert DBTaskResult.objects.count() == 1
    page = client.get(reverse("cases:detail", kwargs={"case_id": with_vendors.pk})).content
    assert page.decode().count("<td>Queued</td>") == 2
    run_pending_jobs()
    page = client.get(reverse("cases:detail", kwargs={"case_id": with_vendors.pk})).content
    assert page.decode().count("<td>Sent</td>") == 2
    assert VendorNotice.objects.filter(case=with_vendors, state=NoticeState.SENT).count() == 2
    assert ContactAttempt.objects.filter(case=with_vendors).count() == 2


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_the_coordinator_notifies(client_for, with_vendors, persona):
    assert notify_post(client_for(persona), with_vendors).status_code == 404
    assert not VendorNotice.objects.exists()


def test_notifying_nobody_or_twice_is_refused(client_for, with_vendors):
    client = client_for("coordinator")
    response = notify_post(client, with_vendors, scope="chosen")
    assert response.status_code == 400
    assert "Choose at least one vendor to notify." in response.content.decode()
    assert notify_post(client, with_vendors).status_code == 302
    response = notify_post(client, with_vendors)
    assert response.status_code == 400
    assert "already been notified" in response.content.decode()
    assert VendorNotice.objects.count() == 2


def test_a_vendor_without_answer_shows_its_other_channels(
    client_for, with_vendors, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    VendorNotice.objects.all().delete()
    vendor_b = with_vendors.participants.get(organisation__slug="vendor-b")
    with django_capture_on_commit_callbacks(execute=True):
        notify_post(client, with_vendors, scope="chosen", participants=[vendor_b])
    run_pending_jobs()
    VendorNotice.objects.filter(participant=vendor_b).update(other_channels_needed=True)
    page = client.get(reverse("cases:detail", kwargs={"case_id": with_vendors.pk})).content
    assert "Needs other channels" in page.decode()
    assert "+81 3 1111" in page.decode()


def test_escalation_ends_when_every_channel_of_the_entry_was_tried(
    client_for, world, with_vendors, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    VendorNotice.objects.all().delete()
    vendor_b = with_vendors.participants.get(organisation__slug="vendor-b")
    with django_capture_on_commit_callbacks(execute=True):
        notify_post(client, with_vendors, scope="chosen", participants=[vendor_b])
    run_pending_jobs()
    VendorNotice.objects.filter(participant=vendor_b).update(other_channels_needed=True)
    detail = reverse("cases:detail", kwargs={"case_id": with_vendors.pk})
    assert "Every channel tried" not in client.get(detail).content.decode()

    from kakehashi.unreachable import rules

    coordinator = world.users["coordinator"]
    for channel in rules.required_channels(vendor_b):
        with_vendors.refresh_from_db()
        case_actions.record_contact_attempt(
            with_vendors,
            vendor_b,
            actor=coordinator,
            channel=channel,
            address="tried",
            outcome="no_answer",
        )
    assert "Every channel tried" in client.get(detail).content.decode()

    with_vendors.refresh_from_db()
    case_actions.record_contact_attempt(
        with_vendors, vendor_b, actor=coordinator, channel="phone", address="x", outcome="answered"
    )
    assert "Every channel tried" not in client.get(detail).content.decode()


# -- bounces --------------------------------------------------------------------------------


def bounce_post(client, case, participant, address, note=""):
    case.refresh_from_db()
    return client.post(
        url("case_bounce", case),
        {
            "bounce-revision": case.revision,
            "bounce-participant": participant.pk,
            "bounce-address": address,
            "bounce-note": note,
        },
    )


def test_a_bounce_is_recorded_by_hand_and_bad_addresses_are_refused(
    client_for, with_vendors, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    vendor_a = with_vendors.participants.get(organisation__slug="vendor-a")
    with django_capture_on_commit_callbacks(execute=True):
        notify_post(client, with_vendors)
    run_pending_jobs()

    response = bounce_post(client, with_vendors, vendor_a, "not an address")
    assert response.status_code == 400
    assert not ContactAttempt.objects.filter(outcome="bounced").exists()
    assert bounce_post(client_for("psirt"), with_vendors, vendor_a, "a@a.test").status_code == 404
    response = bounce_post(client, with_vendors, vendor_a, "a@a.test", "550 no such user")
    assert response.status_code == 302
    assert ContactAttempt.objects.filter(outcome="bounced", participant=vendor_a).count() == 1
    assert VendorNotice.objects.get(participant=vendor_a).state == NoticeState.BOUNCED


def test_a_bounced_vendor_can_be_ticked_and_notified_again(
    client_for, world, with_vendors, django_capture_on_commit_callbacks
):
    client = client_for("coordinator")
    vendor_a = with_vendors.participants.get(organisation__slug="vendor-a")
    vendor_b = with_vendors.participants.get(organisation__slug="vendor-b")
    with django_capture_on_commit_callbacks(execute=True):
        notify_post(client, with_vendors)
    run_pending_jobs()
    detail = reverse("cases:detail", kwargs={"case_id": with_vendors.pk})
    box = 'name="notify-participants" value="{}"'
    page = client.get(detail).content.decode()
    assert box.format(vendor_a.pk) not in page and box.format(vendor_b.pk) not in page

    bounce_post(client, with_vendors, vendor_a, "a@a.test", "550 no such user")
    page = client.get(detail).content.decode()
    assert box.format(vendor_a.pk) in page  # its entry corrected, it is notified again
    assert box.format(vendor_b.pk) not in page  # delivered: reminders follow the schedule

    with django_capture_on_commit_callbacks(execute=True):
        response = notify_post(client, with_vendors, scope="chosen", participants=[vendor_a])
    assert response.status_code == 302
    notice = VendorNotice.objects.get(participant=vendor_a)
    assert (notice.state, notice.step) == (NoticeState.QUEUED, 0)
    assert box.format(vendor_a.pk) not in client.get(detail).content.decode()


# -- vendor groups --------------------------------------------------------------------------


def test_the_coordinator_creates_and_changes_a_group(client_for, profile_a, profile_b):
    client = client_for("coordinator")
    response = client.post(
        reverse("vendors:create_group"),
        {"name_ja": "組込み機器", "name_en": "Embedded devices", "members": [profile_a.pk]},
    )
    group = VendorGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("vendors:group", kwargs={"group_id": group.pk})
    response = client.post(
        reverse("vendors:update_group", kwargs={"group_id": group.pk}),
        {"name_ja": "組込み機器", "name_en": "Embedded", "members": [profile_a.pk, profile_b.pk]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name_en == "Embedded" and group.members.count() == 2


def test_group_refusals_change_nothing(client_for, group, profile_a):
    edit = reverse("vendors:update_group", kwargs={"group_id": group.pk})
    response = client_for("clerk").post(edit, {"name_ja": "x", "name_en": "x"})
    assert response.status_code == 400
    assert "Only the coordinator keeps vendor groups." in response.content.decode()
    assert client_for("psirt").post(edit, {"name_ja": "x", "name_en": "x"}).status_code == 404
    response = client_for("coordinator").post(edit, {"name_ja": "", "name_en": "x"})
    assert response.status_code == 400
    response = client_for("coordinator").post(
        edit, {"name_ja": "x", "name_en": "x", "members": [987654]}
    )
    assert response.status_code == 400
    assert client_for("outsider").post(reverse("vendors:create_group"), {}).status_code == 404
    group.refresh_from_db()
    assert group.name_en == "Library users" and group.members.count() == 2


def test_the_registry_search_finds_groups(client_for, group):
    page = client_for("clerk").get(reverse("vendors:registry"), {"q": "library"}).content
    assert "Library users" in page.decode()
