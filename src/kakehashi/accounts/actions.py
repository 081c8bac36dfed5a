"""Every change to accounts, organisations, memberships and tokens.

Views, the API, the CLI and the demo loader all call these functions; each one is
atomic and writes one audit event in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.mail import send_templated_mail

from .choices import ORGANISATION_MANAGER_ROLES, ROLES_BY_KIND, Role, TokenScope
from .models import ApiToken, Invitation, Membership, Organisation, User

TOKEN_PREFIX = "kh_"  # noqa: S105 - a public marker, not a secret
INVITATION_DAYS = 14


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_organisation(
    actor: Any, *, kind: str, slug: str, name_en: str, name_ja: str = ""
) -> Organisation:
    with transaction.atomic():
        organisation = Organisation.objects.create(
            kind=kind, slug=slug, name_en=name_en, name_ja=name_ja
        )
        audit.record(
            "accounts.organisation_created",
            actor=actor,
            subject=organisation,
            summary=f"{kind} {slug}",
        )
    return organisation


def _check_role(organisation: Organisation, role: str) -> None:
    if role not in ROLES_BY_KIND.get(organisation.kind, frozenset()):
        raise ValidationError(
            _("The role “%(role)s” does not exist in this kind of organisation.") % {"role": role}
        )


def add_membership(actor: Any, organisation: Organisation, user: User, role: str) -> Membership:
    _check_role(organisation, role)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organisation=organisation, user=user, role=role
        )
        if created:
            audit.record(
                "accounts.membership_added",
                actor=actor,
                subject=membership,
                summary=f"{user.username} {role} @ {organisation.slug}",
            )
    return membership


def remove_membership(actor: Any, membership: Membership, request: Any = None) -> None:
    with transaction.atomic():
        organisation = membership.organisation
        if membership.role in ORGANISATION_MANAGER_ROLES:
            remaining = (
                Membership.objects.select_for_update()
                .filter(organisation=organisation, role__in=ORGANISATION_MANAGER_ROLES)
                .exclude(pk=membership.pk)
                .count()
            )
            if remaining == 0:
                raise ValidationError(
                    _("The last administrator of an organisation cannot be removed.")
                )
        summary = f"{membership.user.username} {membership.role} @ {organisation.slug}"
        audit.record(
            "accounts.membership_removed",
            actor=actor,
            subject=membership,
            summary=summary,
            request=request,
        )
        membership.delete()


def invite_member(
    actor: Any, organisation: Organisation, *, email: str, role: str, language: str = ""
) -> tuple[Invitation, str]:
    """Create an invitation and mail its one-time link. Returns it with its secret."""
    _check_role(organisation, role)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email.strip().lower(),
            role=role,
            token_digest=_digest(secret),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit.record(
            "accounts.invitation_sent",
            actor=actor,
            subject=invitation,
            summary=f"{invitation.email} {role} @ {organisation.slug}",
        )
        language = language or getattr(actor, "language", "") or settings.LANGUAGE_CODE
        # The link and the role label follow the recipient's language, not the inviter's.
        with translation.override(language):
            path = reverse("accounts:accept_invitation", kwargs={"secret": secret})
        send_templated_mail(
            "invitation",
            [invitation.email],
            {
                "organisation": organisation.display_name(language),
                "role": Role(role).label,  # lazy: rendered under the recipient's language
                "inviter": str(actor),
                "link": settings.SITE_URL + path,
                "expires_at": invitation.expires_at,
            },
            language=language,
        )
    return invitation, secret


def find_open_invitation(secret: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_digest=_digest(secret))
        .first()
    )
    if invitation is None or not invitation.is_open():
        return None
    return invitation


def accept_invitation(user: User, secret: str) -> Membership:
    with transaction.atomic():
        invitation = find_open_invitation(secret)
        if invitation is None:
            raise ValidationError(_("This invitation is invalid, used or expired."))
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if claimed != 1:
            raise ValidationError(_("This invitation is invalid, used or expired."))
        membership = add_membership(
            invitation.invited_by, invitation.organisation, user, invitation.role
        )
        audit.record(
            "accounts.invitation_accepted",
            actor=user,
            subject=invitation,
            summary=f"{user.username} {invitation.role} @ {invitation.organisation.slug}",
        )
    return membership


def revoke_invitation(actor: Any, invitation: Invitation) -> None:
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record("accounts.invitation_revoked", actor=actor, subject=invitation)


def create_api_token(
    user: User, *, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the returned secret is shown once and never stored."""
    valid = set(TokenScope.values)
    unknown = [s for s in scopes if s not in valid]
    if unknown or not scopes:
        raise ValidationError(
            _("Unknown or missing scope. Choose from: %(scopes)s")
            % {"scopes": ", ".join(sorted(valid))}
        )
    now = timezone.now()
    longest = now + timedelta(days=settings.KAKEHASHI_API_TOKEN_MAX_DAYS)
    expires_at = expires_at or now + timedelta(days=90)
    if expires_at <= now:
        raise ValidationError(_("The expiry must be in the future."))
    if expires_at > longest:
        raise ValidationError(
            _("A token may live at most %(days)d days.")
            % {"days": settings.KAKEHASHI_API_TOKEN_MAX_DAYS}
        )
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    digest=_digest(secret),
                    scopes=sorted(set(scopes)),
                    expires_at=expires_at,
                )
                audit.record(
                    "accounts.token_created",
                    actor=user,
                    subject=token,
                    summary=f"{name} scopes={','.join(token.scopes)}",
                )
            return token, secret
        except IntegrityError:  # prefix collision: draw again
            continue
    raise RuntimeError("could not allocate a unique token prefix")


def revoke_api_token(actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record("accounts.token_revoked", actor=actor, subject=token)


def authenticate_api_token(raw: str) -> ApiToken | None:
    """Return the active token for a bearer secret, stamping its last use."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Stamp at most once a minute so a busy client does not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def update_preferences(
    user: User,
    *,
    language: str | None = None,
    time_zone: str | None = None,
    display_name: str | None = None,
) -> User:
    fields: dict[str, str] = {}
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValidationError(_("Unknown language."))
        fields["language"] = language
    if time_zone is not None:
        fields["timezone"] = time_zone
    if display_name is not None:
        fields["display_name"] = display_name
    if not fields:
        return user
    with transaction.atomic():
        for key, value in fields.items():
            setattr(user, key, value)
        user.full_clean(validate_unique=False, exclude=["password", "username", "email"])
        user.save(update_fields=list(fields))
        audit.record("accounts.preferences_updated", actor=user, subject=user, data=fields)
    return user
