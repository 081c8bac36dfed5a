"""Registry actions: who may do each, and what bad input is refused with."""

from __future__ import annotations

import pytest

from kakehashi.accounts.models import Organisation
from kakehashi.core.models import AuditEvent
from kakehashi.core.workflow import GuardFailed, InvalidInput
from kakehashi.vendors import actions
from kakehashi.vendors.models import ContactPoint, Product, VendorKey, VendorProfile

pytestmark = pytest.mark.django_db

CPE = "cpe:2.3:a:vendor_a:example_cms:2.3:*:*:*:*:*:*:*"


# -- register and update ----------------------------------------------------------------


def test_coordinator_registers_a_vendor_and_it_is_audited(world, coordinator):
    profile = actions.register_vendor(
        coordinator,
        world.organisations["vendor-a"],
        registration_type="individual",
        keywords="CMS\nWeb",
        public_listing=True,
    )
    assert profile.registration_type == "individual"
    assert AuditEvent.objects.filter(action="vendor.registered").count() == 1


@pytest.mark.parametrize("persona", ["vendoradmin", "psirt", "other_vendor", "clerk", "outsider"])
def test_only_the_coordinator_registers_vendors(world, persona):
    with pytest.raises(GuardFailed, match="Only the coordinator registers"):
        actions.register_vendor(world.user(persona), world.organisations["vendor-a"])
    assert not VendorProfile.objects.exists()


def test_registering_a_non_vendor_or_twice_is_refused(world, coordinator, profile_a):
    with pytest.raises(InvalidInput, match="Only vendor organisations"):
        actions.register_vendor(coordinator, world.organisations["finders"])
    with pytest.raises(InvalidInput, match="already registered"):
        actions.register_vendor(coordinator, world.organisations["vendor-a"])


def test_partner_must_be_a_partner_cert(world, coordinator):
    with pytest.raises(InvalidInput, match="partner CERT"):
        actions.register_vendor(
            coordinator,
            world.organisations["vendor-a"],
            overseas=True,
            coordinating_partner=world.organisations["vendor-b"],
        )


def test_an_overseas_vendor_is_coordinated_by_a_partner_cert(world, coordinator):
    partner = Organisation.objects.create(kind="partner_cert", slug="cert-x", name_en="CERT X")
    profile = actions.register_vendor(
        coordinator, world.organisations["vendor-a"], overseas=True, coordinating_partner=partner
    )
    assert profile.coordinating_partner == partner


def test_vendor_admin_keeps_own_entry_current(world, profile_a):
    actions.update_profile(
        world.user("vendoradmin"), profile_a, public_listing=True, time_zone="Asia/Tokyo"
    )
    profile_a.refresh_from_db()
    assert profile_a.public_listing is True
    event = AuditEvent.objects.get(action="vendor.profile_updated")
    assert event.data == {"fields": ["public_listing", "time_zone"]}


def test_vendor_admin_may_not_change_the_registration_type(world, profile_a):
    with pytest.raises(GuardFailed, match="Only the coordinator changes"):
        actions.update_profile(world.user("vendoradmin"), profile_a, registration_type="individual")


@pytest.mark.parametrize("persona", ["psirt", "other_vendor", "outsider"])
def test_others_may_not_update_the_entry(world, profile_a, persona):
    with pytest.raises(GuardFailed, match="may not change"):
        actions.update_profile(world.user(persona), profile_a, keywords="x")


def test_other_vendors_admin_may_not_update_the_entry(profile_a, other_vendor_admin):
    with pytest.raises(GuardFailed):
        actions.update_profile(other_vendor_admin, profile_a, keywords="x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"direct_report_url": "ftp://a.test/report"}, "Enter a valid URL"),
        ({"direct_report_url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(coordinator, profile_a, changes, message):
    with pytest.raises(InvalidInput, match=message):
        actions.update_profile(coordinator, profile_a, **changes)
    assert not AuditEvent.objects.filter(action="vendor.profile_updated").exists()


# -- contact points ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "vendoradmin"])
def test_coordinator_and_own_admin_add_and_remove_contact_points(world, profile_a, persona):
    actor = world.user(persona)
    contact = actions.add_contact_point(
        actor, profile_a, kind="email", value="psirt@a.test", email_role="cc"
    )
    assert contact.email_role == "cc"
    default_to = actions.add_contact_point(actor, profile_a, kind="email", value="sec@a.test")
    assert default_to.email_role == "to"
    actions.add_contact_point(actor, profile_a, kind="phone", value="+81-3-0000-0000")
    actions.remove_contact_point(actor, contact)
    assert ContactPoint.objects.filter(profile=profile_a).count() == 2
    assert AuditEvent.objects.filter(action="vendor.contact_removed").count() == 1


@pytest.mark.parametrize("persona", ["psirt", "other_vendor"])
def test_psirt_and_other_vendor_may_not_touch_contact_points(world, profile_a, persona):
    contact = actions.add_contact_point(
        world.user("coordinator"), profile_a, kind="email", value="psirt@a.test"
    )
    with pytest.raises(GuardFailed):
        actions.add_contact_point(world.user(persona), profile_a, kind="fax", value="03")
    with pytest.raises(GuardFailed):
        actions.remove_contact_point(world.user(persona), contact)
    assert ContactPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "value", "role", "message"),
    [
        ("email", "not-an-address", "", "not a valid e-mail address"),
        ("email", "psirt@a.test", "bcc", "not a valid choice"),
        ("web_form", "ftp://a.test/form", "", "not a web address"),
        ("web_form", "javascript:alert(1)", "", "not a web address"),
        ("phone", "03-0000-0000", "to", "Only e-mail contact points"),
        ("pigeon", "roof", "", "not a valid choice"),
    ],
)
def test_bad_contact_points_are_refused(coordinator, profile_a, kind, value, role, message):  # noqa: PLR0917
    with pytest.raises(InvalidInput, match=message):
        actions.add_contact_point(coordinator, profile_a, kind=kind, value=value, email_role=role)
    assert not ContactPoint.objects.exists()


# -- keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "vendoradmin"])
def test_a_usable_key_is_added_and_revoked(world, profile_a, vendor_keys, persona):
    actor = world.user(persona)
    key = actions.add_key(actor, profile_a, vendor_keys["good"].public)
    assert key.fingerprint == vendor_keys["good"].fingerprint
    assert key.can_encrypt and key.expires_at is None and key.added_by == actor
    with pytest.raises(InvalidInput, match="already registered"):
        actions.add_key(actor, profile_a, vendor_keys["good"].public)
    actions.revoke_key(actor, key)
    assert VendorKey.objects.get().revoked_at is not None
    with pytest.raises(GuardFailed, match="already been withdrawn"):
        actions.revoke_key(actor, key)


@pytest.mark.parametrize(
    ("name", "message"),
    [("signing_only", "can only sign"), ("expired", "has expired")],
)
def test_unusable_keys_are_refused_with_the_pgp_message(
    coordinator, profile_a, vendor_keys, name, message
):
    with pytest.raises(InvalidInput, match=message):
        actions.add_key(coordinator, profile_a, vendor_keys[name].public)
    assert not VendorKey.objects.exists()


def test_garbage_and_secret_keys_are_refused(coordinator, profile_a, vendor_keys):
    with pytest.raises(InvalidInput, match="not an OpenPGP public key"):
        actions.add_key(coordinator, profile_a, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx")
    with pytest.raises(InvalidInput, match="SECRET key"):
        actions.add_key(coordinator, profile_a, vendor_keys["good"].secret)
    assert not VendorKey.objects.exists()


@pytest.mark.parametrize("persona", ["psirt", "other_vendor"])
def test_psirt_and_other_vendor_may_not_add_or_revoke_keys(world, profile_a, vendor_keys, persona):
    key = actions.add_key(world.user("coordinator"), profile_a, vendor_keys["good"].public)
    with pytest.raises(GuardFailed):
        actions.add_key(world.user(persona), profile_a, vendor_keys["good"].public)
    with pytest.raises(GuardFailed):
        actions.revoke_key(world.user(persona), key)
    assert VendorKey.objects.get().revoked_at is None


# -- products ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "vendoradmin"])
def test_coordinator_and_own_admin_add_and_remove_products(world, profile_a, persona):
    actor = world.user(persona)
    product = actions.add_product(
        actor, profile_a, name="Example CMS", cpe=CPE, purl="pkg:npm/example-cms@2.3.0"
    )
    assert AuditEvent.objects.filter(action="vendor.product_added").count() == 1
    actions.remove_product(actor, product)
    assert not Product.objects.exists()


def test_other_vendors_admin_may_not_add_products(profile_a, other_vendor_admin):
    with pytest.raises(GuardFailed):
        actions.add_product(other_vendor_admin, profile_a, name="Example CMS")


@pytest.mark.parametrize("persona", ["psirt", "other_vendor"])
def test_psirt_and_other_vendor_may_not_touch_products(world, profile_a, persona):
    product = actions.add_product(world.user("coordinator"), profile_a, name="Example CMS")
    with pytest.raises(GuardFailed):
        actions.add_product(world.user(persona), profile_a, name="Other")
    with pytest.raises(GuardFailed):
        actions.remove_product(world.user(persona), product)
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cpe": "cpe:/a:vendor_a:example_cms:2.3"}, "Not a CPE 2.3 name"),
        ({"cpe": "cpe:2.3:a:vendor_a:example_cms:2.3"}, "Not a CPE 2.3 name"),
        ({"cpe": "cpe:2.3:x:vendor_a:example_cms:2.3:*:*:*:*:*:*:*"}, "Not a CPE 2.3 name"),
        ({"purl": "npm/example-cms"}, "Not a package URL"),
        ({"purl": "pkg:npm"}, "Not a package URL"),
        ({"purl": "pkg:1npm/example"}, "Not a package URL"),
        ({"version_scheme": "calver"}, "not a valid choice"),
    ],
)
def test_malformed_identifiers_are_refused(coordinator, profile_a, fields, message):
    with pytest.raises(InvalidInput, match=message):
        actions.add_product(coordinator, profile_a, name="Example CMS", **fields)
    assert not Product.objects.exists()


def test_escaped_colons_in_a_cpe_component_are_accepted(coordinator, profile_a):
    cpe = r"cpe:2.3:a:vendor_a:example\:cms:2.3:*:*:*:*:*:*:*"
    assert actions.add_product(coordinator, profile_a, name="Example CMS", cpe=cpe).cpe == cpe
