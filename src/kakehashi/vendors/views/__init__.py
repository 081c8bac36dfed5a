"""The vendor registry's pages: the public list, the desk's registry and one entry."""

from .profile import (
    add_contact,
    add_key,
    add_product,
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
    "profile_page",
    "public_list",
    "register",
    "registry",
    "remove_contact",
    "remove_product",
    "update_profile",
    "withdraw_key",
]
