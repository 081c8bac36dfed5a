"""Kakehashi settings: one module, driven by the environment.

Works with no environment at all for development (SQLite under ``var/``, mail written
to ``var/mail/``). Production is selected with ``KAKEHASHI_ENV=production`` and then
refuses to start without a real secret key and allowed hosts. Nothing here touches
the network at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("KAKEHASHI_PROJECT_DIR", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("KAKEHASHI_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Read ``NAME``, or the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``DATABASE_URL`` into a Django database dict.

    ``sqlite:///relative/or/absolute.sqlite3`` and ``postgres://user:pw@host:port/name``.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # SQLAlchemy's convention: sqlite:///relative/path, sqlite:////absolute/path.
        raw = unquote(parsed.path)[1:]
        path = Path(raw) if raw else VAR_DIR / "kakehashi.sqlite3"
        if not path.is_absolute():
            path = PROJECT_DIR / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # WAL lets readers proceed beside the single writer; IMMEDIATE takes the
            # write lock at BEGIN so two writers queue instead of failing mid-way.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": env("KAKEHASHI_TEST_SQLITE", "") or None},
        }
    if parsed.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


KAKEHASHI_ENV = env("KAKEHASHI_ENV", "development")
PRODUCTION = KAKEHASHI_ENV == "production"
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production.")
    SECRET_KEY = "development-only-" + "k" * 50

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("KAKEHASHI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kakehashi.core",
    "kakehashi.accounts",
    "kakehashi.cases",
    "kakehashi.intake",
    "kakehashi.vendors",
    "kakehashi.portal",
    "kakehashi.cna",
    "kakehashi.disclosures",
    "kakehashi.unreachable",
    "kakehashi.committee",
    "kakehashi.advisories",
    "kakehashi.messaging",
    "kakehashi.statistics",
    "kakehashi.translation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "ninja",  # serves its Swagger UI from our static files (no CDN, CSP-clean)
    "django_tasks_db",
    "crontask",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kakehashi.core.middleware.UserTimezoneMiddleware",
    "kakehashi.accounts.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "kakehashi.urls"
WSGI_APPLICATION = "kakehashi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kakehashi.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kakehashi.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache shared by every worker process on the machine: rate limits, used TOTP codes
# and the public-page cache must not be per process. Redis when CACHE_URL is set.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
if env("CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL"),
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

# django-allauth: e-mail log-in, mandatory verification, MFA by TOTP, passkeys, codes.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "kakehashi.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kakehashi] "
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
MFA_TOTP_ISSUER = env("KAKEHASHI_SITE_NAME", "Kakehashi")
MFA_TRUST_ENABLED = True
USERSESSIONS_TRACK_ACTIVITY = True
# Organisation kinds whose members must enrol a second factor before they can work.
# Finders may register themselves; vendors and staff join by invitation either way.
KAKEHASHI_OPEN_SIGNUP = env_bool("KAKEHASHI_OPEN_SIGNUP", default=True)
# Reverse proxies in front of us: the client address is taken from X-Forwarded-For
# (this many hops from the right) for rate limits and the audit log.
KAKEHASHI_TRUSTED_PROXY_COUNT = env_int("KAKEHASHI_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = KAKEHASHI_TRUSTED_PROXY_COUNT
KAKEHASHI_MFA_REQUIRED_KINDS = env_list(
    "KAKEHASHI_MFA_REQUIRED_KINDS", "reception,coordinator,vendor,partner_cert"
)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Tokyo")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or env_bool("KAKEHASHI_MANIFEST_STATIC")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}


def s3_storage_options() -> dict[str, object] | None:
    """The ``STORAGES["default"]`` entry for S3 when ``KAKEHASHI_S3_BUCKET`` is set, else None.

    A function so that the S3 tests build their storage from this very code.
    """
    bucket = env("KAKEHASHI_S3_BUCKET")
    if not bucket:
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("KAKEHASHI_S3_ENDPOINT_URL") or None,
            # Empty: boto3 finds credentials itself (AWS_* variables, an instance role).
            "access_key": env("KAKEHASHI_S3_ACCESS_KEY"),
            "secret_key": env("KAKEHASHI_S3_SECRET_KEY"),
            "region_name": env("KAKEHASHI_S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


if (_s3 := s3_storage_options()) is not None:
    STORAGES["default"] = _s3
WHITENOISE_USE_FINDERS = not PRODUCTION

# OpenPGP (kakehashi.core.pgp): the platform's secret key is read from this file on first
# use, never here. Unset: no platform key (nothing is signed, encrypted reports are off).
# `kakehashi pgp generate --out DIR` makes a key and prints the lines to set.
KAKEHASHI_PGP_SECRET_KEY_FILE = os.environ.get("KAKEHASHI_PGP_SECRET_KEY_FILE", "")
KAKEHASHI_PGP_PASSPHRASE = env("KAKEHASHI_PGP_PASSPHRASE")
KAKEHASHI_GPG_BINARY = env("KAKEHASHI_GPG_BINARY", "gpg")

# Request size limits: bad input gets a 413/400, never a crash.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KAKEHASHI_MAX_BODY_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Mail: development writes each message to var/mail/; production uses SMTP.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kakehashi <noreply@kakehashi.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST") or PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "use_ssl": env_bool("EMAIL_USE_SSL"),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# Background jobs: rows in our own database, so enqueueing joins the transaction.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail"],
    }
}
CRONTASK = {"REDIS_URL": env("CRONTASK_REDIS_URL") or None}
KAKEHASHI_JOB_MAX_ATTEMPTS = env_int("KAKEHASHI_JOB_MAX_ATTEMPTS", 6)
KAKEHASHI_JOB_BACKOFF_SECONDS = env_int("KAKEHASHI_JOB_BACKOFF_SECONDS", 30)
KAKEHASHI_JOB_STALE_SECONDS = env_int("KAKEHASHI_JOB_STALE_SECONDS", 900)
KAKEHASHI_JOB_RETENTION_DAYS = env_int("KAKEHASHI_JOB_RETENTION_DAYS", 14)

# Audit chain key: separate from SECRET_KEY so that rotating sessions keeps the chain.
KAKEHASHI_AUDIT_KEY = env("KAKEHASHI_AUDIT_KEY")
if not KAKEHASHI_AUDIT_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("KAKEHASHI_AUDIT_KEY (or _FILE) must be set in production.")
    KAKEHASHI_AUDIT_KEY = "development-audit-key"

KAKEHASHI_SITE_NAME = env("KAKEHASHI_SITE_NAME", "Kakehashi")
KAKEHASHI_API_TOKEN_MAX_DAYS = env_int("KAKEHASHI_API_TOKEN_MAX_DAYS", 365)

# Coordination. Case references read "<prefix>-<year>-<number>"; the target publication
# defaults to day zero + KAKEHASHI_TARGET_DAYS at KAKEHASHI_PUBLICATION_TIME (JST).
KAKEHASHI_CASE_PREFIX = env("KAKEHASHI_CASE_PREFIX", "KH")
KAKEHASHI_TARGET_DAYS = env_int("KAKEHASHI_TARGET_DAYS", 45)
KAKEHASHI_PUBLICATION_TIME = env("KAKEHASHI_PUBLICATION_TIME", "12:00")
# An embargo invitation is answered within this many hours (clamped to the embargo end).
KAKEHASHI_EMBARGO_ANSWER_HOURS = env_int("KAKEHASHI_EMBARGO_ANSWER_HOURS", 72)

# Intake. Tracking IDs read "<prefix><8 digits>"; attachments are limited per file, per
# report and in number; clamd (a socket path or host:port) labels files when set.
KAKEHASHI_REPORT_PREFIX = env("KAKEHASHI_REPORT_PREFIX", "KHR#")
KAKEHASHI_ATTACHMENT_MAX_BYTES = env_int("KAKEHASHI_ATTACHMENT_MAX_BYTES", 20_000_000)
KAKEHASHI_REPORT_MAX_BYTES = env_int("KAKEHASHI_REPORT_MAX_BYTES", 50_000_000)
KAKEHASHI_ATTACHMENT_MAX_FILES = env_int("KAKEHASHI_ATTACHMENT_MAX_FILES", 10)
KAKEHASHI_CLAMAV_SOCKET = env("KAKEHASHI_CLAMAV_SOCKET")
KAKEHASHI_CLAMAV_TIMEOUT = env_int("KAKEHASHI_CLAMAV_TIMEOUT", 30)
# Reports filed through the form (and anonymously through the API) per hour, per client
# IP and per e-mail address; more get a 429 page (kakehashi.intake.ratelimit).
KAKEHASHI_REPORT_RATE_PER_HOUR = env_int("KAKEHASHI_REPORT_RATE_PER_HOUR", 10)
KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR = env_int(
    "KAKEHASHI_REPORT_RATE_PER_ADDRESS_PER_HOUR", 5
)
# The reception desk decides (受理 / 不受理) within this many Japanese business days of
# receipt or of the finder's latest answer; the 7-day acknowledgement is calendar days.
KAKEHASHI_RECEPTION_DECISION_BUSINESS_DAYS = env_int(
    "KAKEHASHI_RECEPTION_DECISION_BUSINESS_DAYS", 3
)

# /.well-known/security.txt (RFC 9116): the reception's address for reports (a Contact
# line beside the report form; empty: the form only), and how far ahead "Expires" lies.
KAKEHASHI_RECEPTION_EMAIL = env("KAKEHASHI_RECEPTION_EMAIL", "")
KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS = env_int("KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS", 180)
if not 1 <= KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS <= 365:
    raise ImproperlyConfigured("KAKEHASHI_SECURITY_TXT_EXPIRES_DAYS must be between 1 and 365.")
# Translation. Machine translation is off unless KAKEHASHI_MT_URL names a LibreTranslate
# server (its API key, if it needs one, in KAKEHASHI_MT_API_KEY or _FILE); its answer is
# awaited at most KAKEHASHI_MT_TIMEOUT seconds. A task is due KAKEHASHI_TRANSLATION_LEAD_DAYS
# business days before the case's next deadline (or that many days from now without one).
KAKEHASHI_MT_URL = env("KAKEHASHI_MT_URL")
KAKEHASHI_MT_API_KEY = env("KAKEHASHI_MT_API_KEY")
KAKEHASHI_MT_TIMEOUT = env_int("KAKEHASHI_MT_TIMEOUT", 20)
KAKEHASHI_TRANSLATION_LEAD_DAYS = env_int("KAKEHASHI_TRANSLATION_LEAD_DAYS", 3)

# Security headers. The CSP forbids inline script and style; scripts carry a nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kakehashi.core.views.csrf_failure"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the operator's whole domain to HTTPS for years: their call.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# CNA (issue 8): the operator's identity at the CVE Program and CVE Services access.
# KAKEHASHI_CVE_SERVICES_URL is "test", "prod" or a URL (the fake CVE Services in a demo);
# empty disables every call to CVE Services. The API user and secret come from the
# environment or from ``kakehashi cna credentials`` (stored encrypted).
KAKEHASHI_CNA_SHORT_NAME = env("KAKEHASHI_CNA_SHORT_NAME", "" if PRODUCTION else "kakehashi-demo")
KAKEHASHI_CNA_ORG_ID = env(
    "KAKEHASHI_CNA_ORG_ID", "" if PRODUCTION else "6a1c3f0e-2b7d-4c59-9e8a-3f4b5c6d7e8f"
)
KAKEHASHI_CVE_SERVICES_URL = env("KAKEHASHI_CVE_SERVICES_URL")
KAKEHASHI_CVE_SERVICES_USER = env("KAKEHASHI_CVE_SERVICES_USER")
KAKEHASHI_CVE_SERVICES_KEY = env("KAKEHASHI_CVE_SERVICES_KEY")
KAKEHASHI_SECRETS_KEY = env("KAKEHASHI_SECRETS_KEY")
# Other databases' advisory-ID prefixes that must not appear in CVE descriptions.
KAKEHASHI_ADVISORY_ID_PREFIXES = env_list("KAKEHASHI_ADVISORY_ID_PREFIXES")

# Advisories (issue 7): the ID prefix of each kind (JVN's by default).
KAKEHASHI_ADVISORY_PREFIXES = {
    "partnership": env("KAKEHASHI_ADVISORY_PREFIX_PARTNERSHIP", "JVN#"),
    "international": env("KAKEHASHI_ADVISORY_PREFIX_INTERNATIONAL", "JVNVU#"),
    "alert": env("KAKEHASHI_ADVISORY_PREFIX_ALERT", "JVNTA#"),
}
# OSV IDs: "x_" marks a database not registered with OSV; a registered one sets its prefix.
KAKEHASHI_OSV_ID_PREFIX = env("KAKEHASHI_OSV_ID_PREFIX", "x_")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "apscheduler": {"level": "WARNING"},
        "gnupg": {"level": "ERROR"},  # expected refusals are ours to report, not its
    },
}

# Vendor notices (vendors.notify): reminders to a vendor that has not acknowledged, in
# Japanese business days after the first notice; after the last one the coordinator is
# asked to try other channels (phone, fax, post, web form).
KAKEHASHI_VENDOR_ESCALATION_BUSINESS_DAYS = [
    int(days) for days in env_list("KAKEHASHI_VENDOR_ESCALATION_BUSINESS_DAYS", "3,7,14")
]
# Unreachable developers (連絡不能開発者一覧) and the publication committee (公表判定委員会).
KAKEHASHI_DID_PREFIX = env("KAKEHASHI_DID_PREFIX", "DID#")
KAKEHASHI_UNREACHABLE_AFTER_DAYS = env_int("KAKEHASHI_UNREACHABLE_AFTER_DAYS", 30)
KAKEHASHI_UNREACHABLE_PRODUCT_AFTER_DAYS = env_int("KAKEHASHI_UNREACHABLE_PRODUCT_AFTER_DAYS", 90)
KAKEHASHI_UNREACHABLE_IMPOSSIBLE_AFTER_DAYS = env_int(
    "KAKEHASHI_UNREACHABLE_IMPOSSIBLE_AFTER_DAYS", 183
)
# Where developers on the public list write (with the DID number in the subject);
# by default the bare address of DEFAULT_FROM_EMAIL.
KAKEHASHI_UNREACHABLE_CONTACT_EMAIL = env("KAKEHASHI_UNREACHABLE_CONTACT_EMAIL") or (
    DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
)
KAKEHASHI_COMMITTEE_OPINION_DAYS = env_int("KAKEHASHI_COMMITTEE_OPINION_DAYS", 30)

# CSAF 2.0 (advisories/exports/csaf.py): the publisher named in every document and in
# /.well-known/csaf/provider-metadata.json. Category: coordinator, vendor, discoverer,
# translator, user or other.
KAKEHASHI_CSAF_PUBLISHER_NAME = env("KAKEHASHI_CSAF_PUBLISHER_NAME", KAKEHASHI_SITE_NAME)
KAKEHASHI_CSAF_PUBLISHER_NAMESPACE = env("KAKEHASHI_CSAF_PUBLISHER_NAMESPACE", SITE_URL)
KAKEHASHI_CSAF_PUBLISHER_CATEGORY = env("KAKEHASHI_CSAF_PUBLISHER_CATEGORY", "coordinator")
if KAKEHASHI_CSAF_PUBLISHER_CATEGORY not in {
    "coordinator",
    "discoverer",
    "other",
    "translator",
    "user",
    "vendor",
}:
    raise ImproperlyConfigured(
        "KAKEHASHI_CSAF_PUBLISHER_CATEGORY must be one of coordinator, discoverer, other, "
        "translator, user, vendor."
    )
# Messaging: the reply address of thread messages sent by e-mail; "{token}" is the thread's
# unguessable reply token, which inbound mail matches (e.g. "reply+{token}@example.org").
# Empty: no Reply-To, replies reach the From address.
KAKEHASHI_REPLY_ADDRESS_TEMPLATE = env("KAKEHASHI_REPLY_ADDRESS_TEMPLATE", "")

# Inbound mail (messaging.inbound): the IMAP mailbox that receives the replies sent to the
# reply addresses above. No host: `kakehashi mail fetch` refuses and the scheduler does not
# fetch (`kakehashi mail ingest` still reads standard input or a Maildir). Security: "tls"
# (implicit TLS, port 993), "starttls" (port 143) or "plain" (loopback hosts only).
KAKEHASHI_IMAP_HOST = env("KAKEHASHI_IMAP_HOST")
KAKEHASHI_IMAP_SECURITY = env("KAKEHASHI_IMAP_SECURITY", "tls").strip().lower()
if KAKEHASHI_IMAP_SECURITY not in {"tls", "starttls", "plain"}:
    raise ImproperlyConfigured("KAKEHASHI_IMAP_SECURITY must be tls, starttls or plain.")
KAKEHASHI_IMAP_PORT = env_int(
    "KAKEHASHI_IMAP_PORT", 993 if KAKEHASHI_IMAP_SECURITY == "tls" else 143
)
KAKEHASHI_IMAP_USER = env("KAKEHASHI_IMAP_USER")
KAKEHASHI_IMAP_PASSWORD = env("KAKEHASHI_IMAP_PASSWORD")
KAKEHASHI_IMAP_FOLDER = env("KAKEHASHI_IMAP_FOLDER", "INBOX")
# Where read messages go; empty: they stay, marked with the $KakehashiIngested keyword.
KAKEHASHI_IMAP_DONE_FOLDER = env("KAKEHASHI_IMAP_DONE_FOLDER")
KAKEHASHI_IMAP_TIMEOUT = env_int("KAKEHASHI_IMAP_TIMEOUT", 60)
KAKEHASHI_IMAP_BATCH = env_int("KAKEHASHI_IMAP_BATCH", 200)
KAKEHASHI_IMAP_SCHEDULE = env("KAKEHASHI_IMAP_SCHEDULE", "*/5 * * * *")
# A larger message is kept (raw) and put in triage unread.
KAKEHASHI_INBOUND_MAX_BYTES = env_int("KAKEHASHI_INBOUND_MAX_BYTES", 60_000_000)
