from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CnaConfig(AppConfig):
    name = "kakehashi.cna"
    verbose_name = _("CVE Numbering Authority")

    def ready(self) -> None:
        from kakehashi.intake.known import register_search_provider

        from .corpus import known_vulnerabilities

        # The reception's known-vulnerability check also searches the CVE corpus.
        register_search_provider("cve", known_vulnerabilities)

        from kakehashi.advisories.signals import advisory_published

        from .coupling import on_advisory_published

        # The case's CVE records follow every publication and revision of its advisory.
        advisory_published.connect(on_advisory_published, dispatch_uid="cna-follows-advisories")
