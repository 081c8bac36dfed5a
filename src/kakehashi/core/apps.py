from django.apps import AppConfig
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kakehashi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # The empty choice of every select (new in Django 6.1) has no Japanese in
        # Django's own catalog yet: marked here, it is translated in ours.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
