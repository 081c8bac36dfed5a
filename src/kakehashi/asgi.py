# WSGI (gunicorn) is the supported server; ASGI measured ~10x slower here (docs/architecture.md).
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
application = get_asgi_application()
