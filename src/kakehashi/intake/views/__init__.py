"""Intake views: the finder's side (``public``) and the reception desk's (``desk``)."""
