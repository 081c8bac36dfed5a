from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnreachableConfig(AppConfig):
    name = "kakehashi.unreachable"
    label = "unreachable"
    verbose_name = _("Unreachable developers")

    def ready(self) -> None:
        from kakehashi.cases.queries import register_case_matcher
        from kakehashi.cases.timeline import register_timeline_source

        from . import signals  # noqa: F401 - connects the receivers
        from .search import cases_by_did
        from .timeline import entries

        register_timeline_source("unreachable", entries)
        register_case_matcher("unreachable", cases_by_did)
