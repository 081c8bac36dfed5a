"""Forms of the translation screens; the actions validate the rules again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_SENTENCE_CHARS
from .choices import Language, SourceKind
from .models import GlossaryTerm


class VersionForm(forms.Form):
    """A POST that only fires an event: the version the page was rendered from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("what is translated"), choices=SourceKind.choices)
    source_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    target_language = forms.ChoiceField(label=_("translate into"), choices=Language.choices)
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("assignee"),
        queryset=None,
        required=False,
        empty_label=_("(the queue: any translator)"),
    )
    due_on = forms.DateField(
        label=_("due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a date before the case's next deadline."),
    )
    note = forms.CharField(
        label=_("note for the translator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, assignable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        from kakehashi.accounts.models import User

        field.queryset = User.objects.filter(pk__in=[u.pk for u in assignable]).order_by("username")


class AssignForm(VersionForm):
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("assignee"), queryset=None, required=False, empty_label=_("(unassigned)")
    )

    def __init__(self, *args: Any, assignable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        from kakehashi.accounts.models import User

        field.queryset = User.objects.filter(pk__in=[u.pk for u in assignable]).order_by("username")


class DueForm(VersionForm):
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))


class NoteForm(VersionForm):
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TranslationForm(VersionForm):
    """One field per sentence of the original: ``sentence_0`` … ``sentence_<n-1>``."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        for index in range(count):
            self.fields[f"sentence_{index}"] = forms.CharField(
                label=_("Translation of sentence %(n)d") % {"n": index + 1},
                required=False,
                max_length=MAX_SENTENCE_CHARS,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def sentences(self) -> list[str]:
        return [self.cleaned_data.get(f"sentence_{i}", "") for i in range(self.count)]

    def field_of(self, index: int) -> forms.BoundField:
        return self[f"sentence_{index}"]


class GlossaryForm(forms.Form):
    term_ja = forms.CharField(label=_("Japanese term"), max_length=200)
    term_en = forms.CharField(label=_("English term"), max_length=200)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    @classmethod
    def for_term(cls, term: GlossaryTerm) -> GlossaryForm:
        return cls(initial={"term_ja": term.term_ja, "term_en": term.term_en, "note": term.note})
