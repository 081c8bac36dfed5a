"""CVSS v3.1 and v4.0 vectors, parsed and scored with the ``cvss`` package."""

from __future__ import annotations

from decimal import Decimal

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError
from django.utils.translation import gettext as _

from kakehashi.core.workflow import InvalidInput


def score_v3(vector: str) -> Decimal:
    """The base score of a CVSS v3.1 vector; refuses v3.0 and malformed vectors."""
    vector = vector.strip()
    if not vector.startswith("CVSS:3.1/"):
        raise InvalidInput(_("A CVSS v3.1 vector starts with “CVSS:3.1/”."))
    try:
        return Decimal(str(CVSS3(vector).base_score))
    except CVSSError as error:
        raise InvalidInput(
            _("The CVSS v3.1 vector is not valid: %(error)s") % {"error": error}
        ) from error


def score_v4(vector: str) -> Decimal:
    vector = vector.strip()
    if not vector.startswith("CVSS:4.0/"):
        raise InvalidInput(_("A CVSS v4.0 vector starts with “CVSS:4.0/”."))
    try:
        return Decimal(str(CVSS4(vector).base_score))
    except CVSSError as error:
        raise InvalidInput(
            _("The CVSS v4.0 vector is not valid: %(error)s") % {"error": error}
        ) from error
