"""The empty choice of a select, Django's own string, reads in the page's language."""

from django import forms
from django.utils import translation

from kakehashi.accounts.models import Organisation


class _Form(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())


def test_the_empty_choice_is_japanese_on_a_japanese_page() -> None:
    with translation.override("ja"):
        html = str(_Form()["organisation"])
    assert "- 選択してください -" in html
    assert "Select an option" not in html


def test_the_empty_choice_is_english_on_an_english_page() -> None:
    with translation.override("en"):
        html = str(_Form()["organisation"])
    assert "- Select an option -" in html
