from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CnaConfig(AppConfig):
    name = "kakehashi.cna"
    verbose_name = _("CVE Numbering Authority")
