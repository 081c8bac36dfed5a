from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "kakehashi.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from kakehashi.cases.timeline import register_timeline_source

        from .timeline import entries

        register_timeline_source("messaging", entries)
