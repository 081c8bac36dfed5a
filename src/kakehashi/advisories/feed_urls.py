"""The feeds under /<lang>/feeds/: the Atom feed of advisories per language."""

from django.urls import path

from .views import public

app_name = "feeds"
urlpatterns = [path("advisories.atom", public.atom_feed, name="advisories")]
