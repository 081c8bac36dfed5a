"""Intake views: the desk side. Each module owns its URL patterns."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
