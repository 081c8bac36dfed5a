"""Intake views: the public side. Each module owns its URL patterns."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
