"""The registry screens through their pages: who may see and change what, how a
refusal looks (400, the reason shown, nothing saved), and plain POSTs (no htmx)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kakehashi.core.models import AuditEvent
from kakehashi.vendors import actions
from kakehashi.vendors.models import ContactPoint, Product, VendorKey, VendorProfile

pytestmark = pytest.mark.django_db

CPE = "cpe:2.3:a:vendor_a:example_cms:2.3:*:*:*:*:*:*:*"
# Everyone but the registry's maintainers and vendor A's own administrator.
DENIED = ["psirt", "other_vendor", "clerk", "translator", "finder", "outsider"]


def url(name: str, profile: VendorProfile | None = None) -> str:
    kwargs = {"organisation_id": profile.organisation_id} if profile is not None else None
    return reverse(f"vendors:{name}", kwargs=kwargs)


def post(client, name: str, profile: VendorProfile | None, prefix: str, data: dict):
    """POST a form as the page renders it: fields carry the form's prefix, if any."""
    return client.post(
        url(name, profile), {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def contact(coordinator, profile_a):
    return actions.add_contact_point(coordinator, profile_a, kind="email", value="psirt@a.test")


@pytest.fixture
def product(coordinator, profile_a):
    return actions.add_product(coordinator, profile_a, name="Example CMS", cpe=CPE)


# -- the registry list and search -------------------------------------------------------


def test_desk_staff_see_the_registry_and_search_it(client_for, profile_a, profile_b, product):
    response = client_for("clerk").get(url("registry"), {"q": "example cms"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vendor A" in page and "Vendor B" in page
    matches = response.context["matches"]
    assert [(m.organisation.slug, str(label)) for m, label in matches] == [("vendor-a", "Product")]
    assert "Register a vendor" not in page  # a clerk does not keep the registry


def test_search_by_cpe_prefix_names_the_product(client_for, profile_a, product):
    response = client_for("coordinator").get(url("registry"), {"q": "cpe:2.3:a:vendor_a"})
    assert "Example CMS" in response.content.decode()


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "finder", "outsider"])
def test_registry_list_is_not_found_for_non_staff(client_for, profile_a, persona):
    assert client_for(persona).get(url("registry")).status_code == 404


# -- registering ------------------------------------------------------------------------


def test_coordinator_registers_a_vendor(world, client_for):
    organisation = world.organisations["vendor-a"]
    response = post(
        client_for("coordinator"),
        "register",
        None,
        "",
        {"organisation": organisation.pk, "registration_type": "individual"},
    )
    profile = VendorProfile.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert response["Location"] == url("profile", profile)
    assert profile.registration_type == "individual"


def test_clerk_may_not_register_and_is_told_why(world, client_for):
    response = post(
        client_for("clerk"),
        "register",
        None,
        "",
        {"organisation": world.organisations["vendor-a"].pk, "registration_type": "general"},
    )
    assert response.status_code == 400
    assert "Only the coordinator registers vendors" in messages_of(response)
    assert not VendorProfile.objects.exists()


@pytest.mark.parametrize("persona", ["psirt", "vendoradmin", "outsider"])
def test_non_staff_may_not_register(world, client_for, persona):
    response = post(
        client_for(persona),
        "register",
        None,
        "",
        {"organisation": world.organisations["vendor-a"].pk, "registration_type": "general"},
    )
    assert response.status_code == 404
    assert not VendorProfile.objects.exists()


def test_registering_twice_or_a_non_vendor_is_refused(world, client_for, profile_a):
    for organisation in (world.organisations["vendor-a"], world.organisations["finders"]):
        response = post(
            client_for("coordinator"),
            "register",
            None,
            "",
            {"organisation": organisation.pk, "registration_type": "general"},
        )
        assert response.status_code == 400
        assert "Nothing was changed" in messages_of(response)
    assert VendorProfile.objects.count() == 1


def test_coordinator_registers_a_new_organisation_in_one_step(world, client_for):
    response = post(
        client_for("coordinator"),
        "register",
        None,
        "",
        {"name_ja": "北風ソフト", "name_en": "Kitakaze Soft", "registration_type": "general"},
    )
    profile = VendorProfile.objects.get(organisation__name_en="Kitakaze Soft")
    assert response.status_code == 302
    assert response["Location"] == url("profile", profile)
    organisation = profile.organisation
    assert (organisation.kind, organisation.name_ja, organisation.slug) == (
        "vendor",
        "北風ソフト",
        "kitakaze-soft",
    )
    assert AuditEvent.objects.filter(action="accounts.organisation_created").count() == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, "Choose an existing vendor organisation or give the new one"),
        ({"name_ja": "北風ソフト"}, "Give the vendor's English name"),
        ({"name_en": "vendor a"}, "A vendor organisation named vendor a exists already"),
        ({"name_en": "X", "organisation": "vendor-a"}, "not both"),
    ],
)
def test_a_new_organisation_needs_an_unused_english_name(world, client_for, data, reason):
    from kakehashi.accounts.models import Organisation

    data = dict(data, registration_type="general")
    if "organisation" in data:
        data["organisation"] = world.organisations[data["organisation"]].pk
    before = Organisation.objects.count()
    response = post(client_for("coordinator"), "register", None, "", data)
    assert response.status_code == 400
    assert reason in response.content.decode().replace("&#x27;", "'")
    assert Organisation.objects.count() == before
    assert not VendorProfile.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "vendoradmin"])
def test_coordinator_and_vendor_admin_invite_vendor_members(
    client_for, profile_a, persona, django_capture_on_commit_callbacks
):
    from django.core import mail

    from kakehashi.accounts.models import Invitation
    from kakehashi.core.testing import run_pending_jobs

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client_for(persona),
            "invite_member",
            profile_a,
            "member",
            {"email": "Ops@Vendor-A.test", "role": "vendor_admin", "language": "ja"},
        )
    run_pending_jobs()
    assert response.status_code == 302
    assert response["Location"].endswith("#members")
    invitation = Invitation.objects.get()
    assert (invitation.organisation_id, invitation.email, invitation.role) == (
        profile_a.organisation_id,
        "ops@vendor-a.test",
        "vendor_admin",
    )
    assert mail.outbox[-1].to == ["ops@vendor-a.test"]
    assert "/ja/" in mail.outbox[-1].body  # the invitation follows the chosen language
    page = client_for(persona).get(url("profile", profile_a)).content.decode()
    assert "ops@vendor-a.test" in page


@pytest.mark.parametrize("persona", DENIED)
def test_others_may_not_invite_vendor_members(client_for, profile_a, persona):
    from kakehashi.accounts.models import Invitation

    response = post(
        client_for(persona),
        "invite_member",
        profile_a,
        "member",
        {"email": "x@example.test", "role": "vendor_psirt", "language": "en"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_only_vendor_roles_can_be_offered(client_for, profile_a):
    from kakehashi.accounts.models import Invitation

    response = post(
        client_for("coordinator"),
        "invite_member",
        profile_a,
        "member",
        {"email": "x@example.test", "role": "coordinator", "language": "en"},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_anonymous_is_sent_to_log_in(profile_a, client_for):
    response = client_for("anonymous").post(url("add_contact", profile_a), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_on_an_action_is_not_allowed(profile_a, client_for):
    assert client_for("coordinator").get(url("add_contact", profile_a)).status_code == 405


# -- the profile ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "admin", "vendoradmin"])
def test_maintainers_and_own_admin_see_the_entry(client_for, profile_a, contact, persona):
    response = client_for(persona).get(url("profile", profile_a))
    assert response.status_code == 200
    assert "psirt@a.test" in response.content.decode()


def test_other_vendors_admin_does_not_find_the_entry(profile_a, other_vendor_admin):
    from django.test import Client

    client = Client()
    client.force_login(other_vendor_admin)
    assert client.get(url("profile", profile_a)).status_code == 404
    response = client.post(url("update_profile", profile_a), {"profile-keywords": "x"})
    assert response.status_code == 404
    assert VendorProfile.objects.get(pk=profile_a.pk).keywords == ""


def test_own_admin_updates_the_profile_but_not_the_coordinators_fields(client_for, profile_a):
    response = post(
        client_for("vendoradmin"),
        "update_profile",
        profile_a,
        "profile",
        {
            "preferred_language": "en",
            "time_zone": "Europe/Berlin",
            "keywords": "CMS\nWeb",
            "public_listing": "on",
            "direct_report_url": "https://a.test/security",
            "registration_type": "individual",  # not in the administrator's form: ignored
        },
    )
    assert response.status_code == 302
    profile = VendorProfile.objects.get(pk=profile_a.pk)
    assert profile.time_zone == "Europe/Berlin" and profile.public_listing
    assert profile.registration_type == "general"
    event = AuditEvent.objects.get(action="vendor.profile_updated")
    assert "registration_type" not in event.data["fields"]


def test_coordinator_sets_the_registration_type(client_for, profile_a):
    page = client_for("coordinator").get(url("profile", profile_a))
    data = {
        k: v for k, v in page.context["forms"]["profile"].initial.items() if v not in (None, False)
    }
    data["registration_type"] = "individual"
    response = post(client_for("coordinator"), "update_profile", profile_a, "profile", data)
    assert response.status_code == 302
    assert VendorProfile.objects.get(pk=profile_a.pk).registration_type == "individual"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("direct_report_url", "javascript:alert(1)", "Enter a valid URL"),
        ("time_zone", "Mars/Olympus", "Unknown time zone"),
    ],
)
def test_bad_profile_input_is_shown_and_nothing_saved(client_for, profile_a, field, value, error):
    data = {"preferred_language": "ja", "time_zone": "Asia/Tokyo", field: value}
    response = post(client_for("vendoradmin"), "update_profile", profile_a, "profile", data)
    assert response.status_code == 400
    assert messages_of(response)  # the form's or the action's refusal
    assert error in response.content.decode()
    assert not AuditEvent.objects.filter(action="vendor.profile_updated").exists()


@pytest.mark.parametrize("persona", DENIED)
def test_others_may_not_edit_the_profile(client_for, profile_a, persona):
    response = post(client_for(persona), "update_profile", profile_a, "profile", {"keywords": "x"})
    assert response.status_code == 404
    assert VendorProfile.objects.get(pk=profile_a.pk).keywords == ""


# -- contact points ---------------------------------------------------------------------


def test_own_admin_adds_and_removes_a_contact_point(client_for, profile_a):
    client = client_for("vendoradmin")
    response = post(
        client, "add_contact", profile_a, "contact", {"kind": "email", "value": "sec@a.test"}
    )
    assert response.status_code == 302
    contact = ContactPoint.objects.get(profile=profile_a)
    assert contact.email_role == "to"
    response = post(client, "remove_contact", profile_a, "row", {"row": contact.pk})
    assert response.status_code == 302
    assert not ContactPoint.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "email", "value": "not-an-address"}, "not a valid e-mail address"),
        ({"kind": "phone", "value": "03", "email_role": "to"}, "Only e-mail contact points"),
        ({"kind": "pigeon", "value": "roof"}, "Nothing was changed"),
    ],
)
def test_bad_contact_points_are_shown_and_nothing_saved(client_for, profile_a, data, message):
    response = post(client_for("coordinator"), "add_contact", profile_a, "contact", data)
    assert response.status_code == 400
    assert message in messages_of(response)
    assert not ContactPoint.objects.exists()


def test_a_contact_of_another_vendor_cannot_be_removed(
    client_for, coordinator, profile_a, profile_b
):
    theirs = actions.add_contact_point(coordinator, profile_b, kind="phone", value="03")
    response = post(
        client_for("vendoradmin"), "remove_contact", profile_a, "row", {"row": theirs.pk}
    )
    assert response.status_code == 400
    assert "no longer in the registry" in response.content.decode()
    assert ContactPoint.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("persona", DENIED)
def test_others_may_not_touch_contact_points(client_for, profile_a, contact, persona):
    client = client_for(persona)
    add = post(client, "add_contact", profile_a, "contact", {"kind": "phone", "value": "03"})
    remove = post(client, "remove_contact", profile_a, "row", {"row": contact.pk})
    assert (add.status_code, remove.status_code) == (404, 404)
    assert list(ContactPoint.objects.all()) == [contact]


# -- keys -------------------------------------------------------------------------------


def test_own_admin_adds_a_key_and_sees_its_fingerprint(client_for, profile_a, vendor_keys):
    client = client_for("vendoradmin")
    good = vendor_keys["good"]
    response = post(client, "add_key", profile_a, "key", {"armored": good.public})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert good.fingerprint in page.content.decode()
    assert good.fingerprint in messages_of(page)
    key = VendorKey.objects.get()
    assert key.can_encrypt and key.expires_at is None


@pytest.mark.parametrize(
    ("name", "message"),
    [("signing_only", "can only sign"), ("expired", "has expired")],
)
def test_unusable_keys_are_shown_with_the_reason(client_for, profile_a, vendor_keys, name, message):
    armored = vendor_keys[name].public
    response = post(client_for("coordinator"), "add_key", profile_a, "key", {"armored": armored})
    assert response.status_code == 400
    assert message in messages_of(response)
    assert not VendorKey.objects.exists()


def test_garbage_instead_of_a_key_is_refused(client_for, profile_a):
    response = post(client_for("coordinator"), "add_key", profile_a, "key", {"armored": "hello"})
    assert response.status_code == 400
    assert "not an OpenPGP public key" in messages_of(response)
    assert not VendorKey.objects.exists()


def test_a_key_is_withdrawn_once(client_for, coordinator, profile_a, vendor_keys):
    key = actions.add_key(coordinator, profile_a, vendor_keys["good"].public)
    client = client_for("vendoradmin")
    assert post(client, "withdraw_key", profile_a, "row", {"row": key.pk}).status_code == 302
    again = post(client, "withdraw_key", profile_a, "row", {"row": key.pk})
    assert again.status_code == 400
    assert "already been withdrawn" in messages_of(again)
    assert AuditEvent.objects.filter(action="vendor.key_revoked").count() == 1


@pytest.mark.parametrize("persona", DENIED)
def test_others_may_not_touch_keys(client_for, coordinator, profile_a, vendor_keys, persona):
    key = actions.add_key(coordinator, profile_a, vendor_keys["good"].public)
    client = client_for(persona)
    add = post(client, "add_key", profile_a, "key", {"armored": vendor_keys["expired"].public})
    withdraw = post(client, "withdraw_key", profile_a, "row", {"row": key.pk})
    assert (add.status_code, withdraw.status_code) == (404, 404)
    assert VendorKey.objects.get().revoked_at is None


# -- products ---------------------------------------------------------------------------


def test_own_admin_adds_and_removes_a_product(client_for, profile_a):
    client = client_for("vendoradmin")
    data = {
        "name": "Example CMS",
        "cpe": CPE,
        "purl": "pkg:npm/example-cms",
        "version_scheme": "semver",
    }
    assert post(client, "add_product", profile_a, "product", data).status_code == 302
    product = Product.objects.get(profile=profile_a)
    assert product.cpe == CPE and product.version_scheme == "semver"
    assert post(client, "remove_product", profile_a, "row", {"row": product.pk}).status_code == 302
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "CMS", "cpe": "cpe:/a:vendor_a:cms", "version_scheme": "other"},
        {"name": "CMS", "purl": "npm/example", "version_scheme": "other"},
        {"name": "", "version_scheme": "other"},
    ],
)
def test_bad_products_are_shown_and_nothing_saved(client_for, profile_a, data):
    response = post(client_for("coordinator"), "add_product", profile_a, "product", data)
    assert response.status_code == 400
    assert messages_of(response)
    assert response.context["forms"]["product"].errors
    assert not Product.objects.exists()


@pytest.mark.parametrize("persona", DENIED)
def test_others_may_not_touch_products(client_for, profile_a, product, persona):
    client = client_for(persona)
    add = post(
        client, "add_product", profile_a, "product", {"name": "X", "version_scheme": "other"}
    )
    remove = post(client, "remove_product", profile_a, "row", {"row": product.pk})
    assert (add.status_code, remove.status_code) == (404, 404)
    assert list(Product.objects.all()) == [product]
