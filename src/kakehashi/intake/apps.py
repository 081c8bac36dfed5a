from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "kakehashi.intake"
    label = "intake"
    verbose_name = _("Reports and the reception desk")

    def ready(self) -> None:
        from .relay import connect

        connect()
