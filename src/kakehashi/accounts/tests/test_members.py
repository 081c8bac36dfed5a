"""Organisation members: invite by mail, accept by secret link, remove (POST only)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from kakehashi.accounts import actions
from kakehashi.accounts.choices import Role
from kakehashi.accounts.models import Invitation, Membership, User
from kakehashi.core.models import AuditEvent
from kakehashi.core.testing import run_pending_jobs

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/\w\w/account/invitations/[^/\s]+/)")


def _url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


def _organisation_url(world, slug: str = "vendor-a") -> str:
    return _url("accounts:organisation", organisation_id=world.organisations[slug].pk)


def _remove_url(membership: Membership) -> str:
    return _url("accounts:remove_member", membership_id=membership.pk)


def _membership(world, persona: str) -> Membership:
    return Membership.objects.get(user=world.user(persona))


@pytest.fixture
def newcomer(db) -> User:
    return User.objects.create_user("newcomer", "newcomer@example.test", "x", language="en")


@pytest.fixture
def invitation_path(world, django_capture_on_commit_callbacks) -> str:
    """The path of a fresh invitation's link, as the invitee finds it in the mail."""
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_member(
            world.user("vendoradmin"),
            world.organisations["vendor-a"],
            email="newcomer@example.test",
            role=Role.VENDOR_PSIRT,
            language="en",
        )
    run_pending_jobs()
    (path,) = LINK.findall(mail.outbox[-1].body)
    return path


def test_vendor_admin_invites_and_the_invitee_joins_through_the_link(
    world, client_for, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("vendoradmin").post(
            _organisation_url(world), {"email": "NewComer@Example.test", "role": "vendor_psirt"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("newcomer@example.test", "vendor_psirt")
    assert DBTaskResult.objects.filter(queue_name="mail").count() == 1

    run_pending_jobs()
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.test"]
    (path,) = LINK.findall(message.body)

    client = client_for("anonymous")
    client.force_login(newcomer)
    assert client.get(path).status_code == 200
    accepted = client.post(path)

    assert accepted.status_code == 302
    assert accepted["Location"] == _url("core:dashboard")
    membership = Membership.objects.get(user=newcomer)
    assert membership.organisation == world.organisations["vendor-a"]
    assert membership.role == "vendor_psirt"
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "accounts.invitation_sent",
        "accounts.membership_added",
        "accounts.invitation_accepted",
    }


def test_opening_the_link_does_not_join(client_for, newcomer, invitation_path):
    client = client_for("anonymous")
    client.force_login(newcomer)

    response = client.get(invitation_path)

    assert response.status_code == 200
    assert b"Accept the invitation" in response.content
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_anonymous_visitor_must_sign_in_before_accepting(client_for, invitation_path):
    response = client_for("anonymous").post(invitation_path)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Invitation.objects.get().accepted_at is None


def _refused(client, path: str) -> None:
    opened = client.get(path)
    accepted = client.post(path)
    for response in (opened, accepted):
        assert response.status_code == 404
        assert b"Invitation not valid" in response.content


def test_an_expired_link_is_refused(client_for, newcomer, invitation_path):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = client_for("anonymous")
    client.force_login(newcomer)

    _refused(client, invitation_path)

    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_used_link_is_refused(world, client_for, newcomer, invitation_path):
    first = client_for("anonymous")
    first.force_login(newcomer)
    assert first.post(invitation_path).status_code == 302

    _refused(client_for("outsider"), invitation_path)

    assert not Membership.objects.filter(user=world.user("outsider")).exists()


def test_a_revoked_link_is_refused(world, client_for, newcomer, invitation_path):
    actions.revoke_invitation(world.user("vendoradmin"), Invitation.objects.get())
    client = client_for("anonymous")
    client.force_login(newcomer)

    _refused(client, invitation_path)

    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_made_up_link_is_refused(client_for, invitation_path):
    forged = invitation_path.rsplit("/", 2)[0] + "/not-the-secret/"

    _refused(client_for("outsider"), forged)


def test_vendor_psirt_sees_the_members_but_cannot_invite(world, client_for):
    client = client_for("psirt")

    page = client.get(_organisation_url(world))
    response = client.post(
        _organisation_url(world), {"email": "friend@example.test", "role": "vendor_admin"}
    )

    assert page.status_code == 200
    assert b"Send invitation" not in page.content
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_another_vendors_admin_cannot_invite(world, client_for):
    response = client_for("other_vendor").post(
        _organisation_url(world), {"email": "friend@example.test", "role": "vendor_psirt"}
    )

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_invite_refuses_a_role_foreign_to_the_organisation(world, client_for):
    response = client_for("vendoradmin").post(
        _organisation_url(world), {"email": "friend@example.test", "role": "administrator"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()


def test_vendor_admin_removes_a_member(world, client_for):
    psirt = _membership(world, "psirt")

    response = client_for("vendoradmin").post(_remove_url(psirt))

    assert response.status_code == 302
    assert response["Location"] == _organisation_url(world)
    assert not Membership.objects.filter(pk=psirt.pk).exists()
    event = AuditEvent.objects.get(action="accounts.membership_removed")
    assert event.actor_id == world.user("vendoradmin").pk
    assert "psirt" in event.summary


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "finder"])
def test_a_non_manager_cannot_remove_a_member(world, client_for, persona):
    vendoradmin = _membership(world, "vendoradmin")

    response = client_for(persona).post(_remove_url(vendoradmin))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=vendoradmin.pk).exists()


def test_removing_the_last_vendor_admin_is_refused_with_a_message(world, client_for):
    last_admin = _membership(world, "vendoradmin")

    response = client_for("vendoradmin").post(_remove_url(last_admin), follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["The last administrator of an organisation cannot be removed."]
    assert Membership.objects.filter(pk=last_admin.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_vendor_admin_may_leave_when_another_remains(world, client_for):
    actions.add_membership(
        None, world.organisations["vendor-a"], world.user("psirt"), Role.VENDOR_ADMIN
    )
    leaving = _membership(world, "vendoradmin")

    response = client_for("vendoradmin").post(_remove_url(leaving))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=leaving.pk).exists()


def test_remove_member_is_post_only(world, client_for):
    psirt = _membership(world, "psirt")

    response = client_for("vendoradmin").get(_remove_url(psirt))

    assert response.status_code == 405
    assert Membership.objects.filter(pk=psirt.pk).exists()
