from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from kakehashi.api.urls import api
from kakehashi.core import views as core_views
from kakehashi.core.security_txt import security_txt

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("api/v1/", api.urls),
    path("", include("kakehashi.advisories.export_urls")),  # language-free exports
]

urlpatterns += i18n_patterns(
    # The public advisory pages and feeds first: the most requested URLs resolve at once.
    path("advisories/", include("kakehashi.advisories.urls")),
    path("feeds/", include("kakehashi.advisories.feed_urls")),
    path("", include("kakehashi.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("kakehashi.accounts.urls")),
    path("cases/", include("kakehashi.cases.urls")),
    path("", include("kakehashi.intake.urls")),  # /report/… for finders, /reception/… desk
    path("vendors/", include("kakehashi.vendors.urls")),
    path("portal/", include("kakehashi.portal.urls")),
    path("cna/", include("kakehashi.cna.urls")),
    path("disclosures/", include("kakehashi.disclosures.urls")),
    path("unreachable/", include("kakehashi.unreachable.urls")),
    path("committee/", include("kakehashi.committee.urls")),
    path("statistics/", include("kakehashi.statistics.urls")),
    path("", include("kakehashi.messaging.urls")),  # /messages/…, /notifications/
    path("translation/", include("kakehashi.translation.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

handler404 = "kakehashi.core.errors.not_found"
handler500 = "kakehashi.core.errors.server_error"
handler400 = "kakehashi.core.errors.bad_request"
handler403 = "kakehashi.core.errors.forbidden"
