"""The vendor registry's pages: the public list, the desk's registry and one entry."""

from .case import add_to_case, find_for_case, notify_case_vendors, record_bounce
from .groups import create_group, group_list, group_page, update_group
from .profile import (
    add_contact,
    add_key,
    add_product,
    invite_member,
    profile_page,
    remove_contact,
    remove_product,
    update_profile,
    withdraw_key,
)
from .public import public_list
from .registry import register, registry

__all__ = [
    "add_contact",
    "add_key",
    "add_product",
    "add_to_case",
    "create_group",
    "find_for_case",
    "group_list",
    "group_page",
    "invite_member",
    "notify_case_vendors",
    "profile_page",
    "public_list",
    "record_bounce",
    "register",
    "registry",
    "remove_contact",
    "remove_product",
    "update_group",
    "update_profile",
    "withdraw_key",
]
