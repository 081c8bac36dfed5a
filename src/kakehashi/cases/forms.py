"""Forms of the coordinator desk: the case list's filters, and one small form per action.

Every action form carries the case ``revision`` it was rendered from, so that a form
left open while someone else changed the case is refused (``ConcurrentChange``) instead
of silently overwriting. Date-times are typed in the viewer's own time zone. The forms
check shape only; the actions are the single place that checks meaning (CVSS, CWE,
dates in the past, the workflow), and their refusals are shown as form errors.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kakehashi.accounts.models import Organisation

from . import ssvc
from .actions import MANUAL_PHASE_EVENTS
from .actions.case import TALK_FIELDS
from .choices import (
    ClosureReason,
    ContactChannel,
    ContactOutcome,
    EmbargoAnswer,
    EmbargoEndReason,
    ParticipantRole,
    ProposalStatus,
    ScheduleChangeReason,
    VexJustification,
    VexStatus,
)
from .models import Case, CaseProduct, EmbargoProposal, Participant, VendorStatus, Vulnerability
from .priority import Priority, Scope
from .queries import PARTICIPANT_KINDS, owner_choices
from .workflow import CS_EVENT_LABELS, CS_EVENTS, PHASE, RM, Phase

_ANY = [("", pgettext_lazy("filter", "Any"))]


FAST_SELECT = "cases/widgets/select.html"


def use_fast_selects(form: forms.BaseForm) -> None:
    """Render the form's selects with one template each, not one per option."""
    for form_field in form.fields.values():
        if type(form_field.widget) in (forms.Select, forms.SelectMultiple):
            form_field.widget.template_name = FAST_SELECT


class CaseFilterForm(forms.Form):
    """The case list's filters (GET): every field optional."""

    q = forms.CharField(label=_("Reference, title or DID number"), required=False, max_length=100)
    phase = forms.ChoiceField(label=_("Phase"), choices=_ANY + Phase.choices, required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=_ANY + Priority.choices, required=False
    )
    owner = forms.ChoiceField(
        label=_("Owner"),
        choices=[("", pgettext_lazy("owner", "Anyone")), ("me", _("Me"))],
        required=False,
    )
    vendor = forms.CharField(label=_("Vendor"), required=False, max_length=100)
    due_soon = forms.BooleanField(label=_("Due within 7 days"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)


class ZonedDateTimeField(forms.DateTimeField):
    """A date-time typed in ``zone`` (the viewer's), cleaned to an aware datetime."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    zone: str = settings.TIME_ZONE

    def _zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(self._zone()):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(self._zone()).replace(tzinfo=None)
        return value


class CaseActionForm(forms.Form):
    """The base of every action form: the case, the revision, the viewer's zone."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self, *args: Any, case: Case, zone: str = settings.TIME_ZONE, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        use_fast_selects(self)
        self.case = case
        self.initial.setdefault("revision", case.revision)
        for name, form_field in self.fields.items():
            if isinstance(form_field, ZonedDateTimeField):
                form_field.zone = zone
                form_field.help_text = _t("In your time zone (%(zone)s).") % {"zone": zone}
            self.setup_field(name, form_field)

    def setup_field(self, name: str, form_field: forms.Field) -> None:
        """Hook: narrow a field's queryset to this case."""

    @property
    def seen_revision(self) -> int:
        """The revision of the case the form was rendered from."""
        return int(self.cleaned_data["revision"])

    def current_participants(self) -> Any:
        return Participant.objects.filter(case=self.case, removed_at__isnull=True)

    def show_revision(self, revision: int) -> None:
        """Re-render a bound form for the case as it now is (after a refusal)."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("revision")] = str(revision)
        self.data = data


def _participants(required: bool = True, label: Any = None) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        label=label or _("Participant"), queryset=Participant.objects.none(), required=required
    )


class CaseParticipantsMixin:
    """Fields named ``participant``/``vendor``/``participants`` draw from the case."""

    case: Case

    def setup_field(self, name: str, form_field: forms.Field) -> None:
        current = Participant.objects.filter(case=self.case, removed_at__isnull=True)
        if name in {"participant", "participants"}:
            form_field.queryset = current  # type: ignore[attr-defined]
        elif name == "vendor":
            form_field.queryset = current.filter(  # type: ignore[attr-defined]
                role=ParticipantRole.VENDOR
            )
        elif name == "vulnerability":
            form_field.queryset = Vulnerability.objects.filter(  # type: ignore[attr-defined]
                case=self.case
            )
        elif name == "product":
            form_field.queryset = CaseProduct.objects.filter(  # type: ignore[attr-defined]
                case=self.case
            )


# --- The case -------------------------------------------------------------------------


class NewCaseForm(forms.Form):
    prefix = "new"

    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    summary = forms.CharField(label=_("Internal summary"), widget=forms.Textarea, required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.WIDE)
    coordinator_org = forms.ModelChoiceField(
        label=_("Coordinator"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_fast_selects(self)
        field = self.fields["coordinator_org"]
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        )
        self.only = organisations[0] if len(organisations) == 1 else None
        if self.only is not None:
            # One coordinator organisation: nothing to choose.
            field.widget = forms.HiddenInput()
            field.required = False
            self.initial["coordinator_org"] = self.only.pk
        else:
            field.widget.choices = [(o.pk, o.display_name()) for o in organisations]

    def clean_coordinator_org(self) -> Organisation | None:
        return self.cleaned_data.get("coordinator_org") or self.only


class CaseDetailsForm(CaseActionForm):
    prefix = "details"

    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    summary = forms.CharField(label=_("Internal summary"), widget=forms.Textarea, required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False
    )
    planned_talk_title = forms.CharField(
        label=_("Planned talk or paper"), max_length=300, required=False
    )
    planned_talk_venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    planned_talk_date = forms.DateField(
        label=_("Date of the talk"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    talk_without_details = forms.BooleanField(
        label=_("The finder agreed to present without details before publication"),
        required=False,
    )

    FIELDS = (
        "title_ja",
        "title_en",
        "summary",
        "scope",
        "owner",
        "planned_talk_title",
        "planned_talk_venue",
        "planned_talk_date",
        "talk_without_details",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(self.case)  # type: ignore[attr-defined]
        for name in self.FIELDS:
            self.initial.setdefault(name, getattr(self.case, name))

    def changes(self) -> dict[str, Any]:
        """Only what differs from the case, so that the audit row says what changed —
        and, with a changed talk, the box about it as shown: the finder's agreement to
        present without details is confirmed with each change of the talk."""
        changed = {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.cleaned_data[name] != getattr(self.case, name)
        }
        if changed.keys() & set(TALK_FIELDS):
            changed["talk_without_details"] = self.cleaned_data["talk_without_details"]
        return changed


class PhaseForm(CaseActionForm):
    prefix = "phase"

    event = forms.ChoiceField(choices=[(e, PHASE.event_labels[e]) for e in MANUAL_PHASE_EVENTS])
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CloseForm(CaseActionForm):
    prefix = "close"

    reason = forms.ChoiceField(label=_("Reason"), choices=ClosureReason.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override = forms.BooleanField(
        label=_("Close although an embargo is in force (explain in the note)"), required=False
    )


class ReopenForm(CaseActionForm):
    prefix = "reopen"

    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ScheduleForm(CaseActionForm):
    prefix = "schedule"

    new_target = ZonedDateTimeField(label=_("New target publication"))
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (value, label)
            for value, label in ScheduleChangeReason.choices
            if value not in (ScheduleChangeReason.INITIAL, ScheduleChangeReason.EMBARGO_AGREED)
        ],
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecisionForm(CaseActionForm):
    """An SSVC decision; subclasses get one choice field per input of their table."""

    spec: tuple[ssvc.DecisionInput, ...] = ()

    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def inputs(self) -> dict[str, str]:
        return {item.name: self.cleaned_data[item.name] for item in self.spec}


def decision_form_class(kind: str) -> type[DecisionForm]:
    """The form of one SSVC table, its fields generated from the table's inputs."""
    spec = ssvc.TRIAGE_INPUTS if kind == "triage" else ssvc.PUBLISH_INPUTS
    attrs: dict[str, Any] = {
        item.name: forms.ChoiceField(label=item.label, choices=item.choices.choices)
        for item in spec
    }
    attrs.update(prefix=kind, spec=spec, field_order=[*(i.name for i in spec), "note"])
    return type(f"{kind.capitalize()}DecisionForm", (DecisionForm,), attrs)


DECISION_FORMS = {kind: decision_form_class(kind) for kind in ("triage", "publish")}


# --- Vulnerabilities and products -----------------------------------------------------


class VulnerabilityForm(CaseActionForm):
    prefix = "vuln"

    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description_ja = forms.CharField(
        label=_("Description (Japanese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    cwe_id = forms.CharField(label=_("CWE"), max_length=16, required=False)
    cvss_v3_vector = forms.CharField(label=_("CVSS v3.1 vector"), max_length=200, required=False)
    cvss_v4_vector = forms.CharField(label=_("CVSS v4.0 vector"), max_length=300, required=False)

    FIELDS = (
        "title_ja",
        "title_en",
        "description_ja",
        "description_en",
        "cwe_id",
        "cvss_v3_vector",
        "cvss_v4_vector",
    )

    def __init__(self, *args: Any, vulnerability: Vulnerability | None = None, **kwargs: Any):
        if vulnerability is not None:
            kwargs.setdefault("prefix", f"vuln{vulnerability.pk}")
            kwargs.setdefault("initial", {n: getattr(vulnerability, n) for n in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.vulnerability = vulnerability

    def values(self) -> dict[str, Any]:
        if self.vulnerability is None:
            return {name: self.cleaned_data[name] for name in self.FIELDS}
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.cleaned_data[name] != getattr(self.vulnerability, name)
        }


class ProductForm(CaseParticipantsMixin, CaseActionForm):
    prefix = "product"

    vendor = _participants(label=_("Vendor"))
    name = forms.CharField(label=_("Product"), max_length=200)
    versions = forms.CharField(label=_("Affected versions"), max_length=300, required=False)
    cpe = forms.CharField(label=_("CPE 2.3"), max_length=300, required=False)
    purl = forms.CharField(label=_("Package URL"), max_length=300, required=False)


# --- Participants ---------------------------------------------------------------------


class AddParticipantsForm(CaseActionForm):
    prefix = "add"

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (r.value, r.label)
            for r in (
                ParticipantRole.VENDOR,
                ParticipantRole.PARTNER_CERT,
                ParticipantRole.FINDER,
                ParticipantRole.DEPLOYER,
            )
        ],
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(kind__in=PARTICIPANT_KINDS),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ParticipantButtonForm(CaseParticipantsMixin, CaseActionForm):
    """The buttons of the participants table share one <form> and this prefix."""

    prefix = "participants"

    participant = _participants()


class ChangeRMForm(CaseActionForm):
    """A table button: ``transition`` is ``"<participant id>:<RM state shown>:<event>"``;
    the state shown lets a click on a stale page be refused rather than misapplied."""

    prefix = "participants"

    transition = forms.CharField(max_length=40)

    def clean_transition(self) -> tuple[Participant, str, str]:
        pk, shown, event = ([*self.cleaned_data["transition"].split(":"), "", ""])[:3]
        participant = self.current_participants().filter(pk=pk if pk.isdigit() else 0).first()
        if participant is None or event not in RM.event_labels:
            raise forms.ValidationError(_("Choose a participant and a step."))
        return participant, shown, event


class ContactAttemptForm(CaseParticipantsMixin, CaseActionForm):
    prefix = "contact"

    participant = _participants()
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    address = forms.CharField(label=_("Address, number or URL"), max_length=300)
    attempted_at = ZonedDateTimeField(label=_("Attempted at (empty: now)"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    details_included = forms.BooleanField(label=_("Vulnerability details sent"), required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class VendorStatusForm(CaseParticipantsMixin, CaseActionForm):
    prefix = "status"

    vendor = _participants(label=_("Vendor"))
    vulnerability = forms.ModelChoiceField(
        label=_("Vulnerability"), queryset=Vulnerability.objects.none()
    )
    product = forms.ModelChoiceField(
        label=_("Product (empty: all of the vendor's products)"),
        queryset=CaseProduct.objects.none(),
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=VexStatus.choices)
    justification = forms.ChoiceField(
        label=_("Justification (for “not affected”)"),
        choices=[("", "—"), *VexJustification.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason (for “disputed”)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    statement_ja = forms.CharField(
        label=_("Statement (Japanese)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    statement_en = forms.CharField(
        label=_("Statement (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    fixed_in = forms.CharField(label=_("Fixed in version"), max_length=200, required=False)

    STATUS_FIELDS = ("status", "justification", "reason", "statement_ja", "statement_en")


class ApproveStatusForm(CaseActionForm):
    """A matrix button: ``approve`` is ``"<status id>:<version>"``, the version read."""

    prefix = "matrix"

    approve = forms.CharField(max_length=40)

    def clean_approve(self) -> tuple[VendorStatus, int]:
        pk, _sep, version = self.cleaned_data["approve"].partition(":")
        status = None
        if pk.isdigit() and version.isdigit():
            status = VendorStatus.objects.filter(case=self.case, pk=pk).first()
        if status is None:
            raise forms.ValidationError(_("This status is not in the case."))
        return status, int(version)


class CaseEventForm(CaseParticipantsMixin, CaseActionForm):
    prefix = "event"

    event = forms.ChoiceField(
        label=_("Event"), choices=[(e, CS_EVENT_LABELS[e]) for e in CS_EVENTS]
    )
    vendor = _participants(required=False, label=_("Vendor (for V, F and D)"))
    occurred_at = ZonedDateTimeField(label=_("Occurred at (empty: now)"), required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# --- The embargo ----------------------------------------------------------------------


class ProposeEmbargoForm(CaseActionForm):
    prefix = "propose"

    ends_at = ZonedDateTimeField(label=_("Embargo ends at"))
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProposalForm(CaseActionForm):
    """Accept and reject buttons of the open proposals share one <form>."""

    prefix = "proposal"

    proposal = forms.ModelChoiceField(queryset=EmbargoProposal.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def setup_field(self, name: str, form_field: forms.Field) -> None:
        if name == "proposal":
            form_field.queryset = EmbargoProposal.objects.filter(  # type: ignore[attr-defined]
                case=self.case, status=ProposalStatus.OPEN
            )


class TerminateEmbargoForm(CaseActionForm):
    prefix = "terminate"

    reason = forms.ChoiceField(
        label=_("Why the embargo ends"),
        choices=[
            (value, label)
            for value, label in EmbargoEndReason.choices
            if value not in (EmbargoEndReason.EXPIRED, EmbargoEndReason.REVISED)
        ],
        initial=EmbargoEndReason.COORDINATOR,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class InviteForm(CaseParticipantsMixin, CaseActionForm):
    prefix = "invite"

    ALL_VENDORS = "all_vendors"
    CHOSEN = "chosen"

    who = forms.ChoiceField(
        label=_("Invite"),
        choices=[(ALL_VENDORS, _("Every vendor")), (CHOSEN, _("The participants chosen below"))],
        widget=forms.RadioSelect,
        initial=ALL_VENDORS,
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = ZonedDateTimeField(label=_("Answer by (empty: the default)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("who") == self.CHOSEN and not data.get("participants"):
            self.add_error("participants", _("Choose at least one participant."))
        return data

    def invitees(self) -> Any:
        if self.cleaned_data["who"] == self.ALL_VENDORS:
            return self.current_participants().filter(role=ParticipantRole.VENDOR)
        return self.cleaned_data["participants"]


class EmbargoAnswerForm(CaseParticipantsMixin, CaseActionForm):
    """A participant's answer to the embargo that reached the coordinator another way
    (e-mail, telephone, a partner CERT): recorded on its behalf, with how it came."""

    prefix = "answer"

    participant = _participants()
    answer = forms.ChoiceField(label=_("Answer"), choices=EmbargoAnswer.choices)
    note = forms.CharField(
        label=_("How and when the answer came"),
        help_text=_("For example: “by e-mail from psirt@… on 2 June, message ID …”."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
