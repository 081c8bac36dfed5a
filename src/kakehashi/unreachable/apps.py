from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnreachableConfig(AppConfig):
    name = "kakehashi.unreachable"
    label = "unreachable"
    verbose_name = _("Unreachable developers")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
