from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "kakehashi.disclosures"
    label = "disclosures"
    verbose_name = _("Disclosures before publication")

    def ready(self) -> None:
        from kakehashi.cases.timeline import Entry, register_timeline_source

        from .timeline import timeline_entries

        register_timeline_source(
            "disclosures", lambda case, limit: timeline_entries(case, limit, Entry)
        )
