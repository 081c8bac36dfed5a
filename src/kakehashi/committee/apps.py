from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    name = "kakehashi.committee"
    label = "committee"
    verbose_name = _("Publication committee")

    def ready(self) -> None:
        from kakehashi.cases.timeline import register_timeline_source

        from .timeline import entries

        register_timeline_source("committee", entries)
