"""Settings for the Cluster Portal, read from the environment.

With nothing set, the portal runs locally on SQLite with Celery tasks executed
in-process. Production (DEBUG=false) refuses to start without SECRET_KEY and
ALLOWED_HOSTS. See README.md for every variable.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")
    return value == "true"


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# The portal's address: links in e-mails, and the domain of their Message-IDs (core.mail).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    # TOTP two-factor with recovery codes, required for staff roles (accounts/security.py).
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    # The portal's apps, foundation first; each depends only on those above it in this list
    # (docs/architecture.md, checked by import-linter).
    "core",
    "notifications",
    "accounts",
    "members",
    "associations",
    "applications",
    "projects",
    "pages",
    "demo",
    "dashboard",
    "imports",
    "audit",
    "api",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Refuses an oversized body before anything reads it (cluster_portal/security.py).
    "cluster_portal.security.BodySizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages: Cache-Control private, no-store (cluster_portal/security.py).
    "cluster_portal.security.PrivateCacheMiddleware",
    "core.db.replica.ReplicaReadsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "cluster_portal.middleware.PortalLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After a withdrawal of consent only the personal-data pages open (privacy/middleware.py).
    "privacy.middleware.ConsentWithdrawnMiddleware",
    # Staff roles: two-factor before the portal opens, idle and absolute session timeouts
    # (accounts/security.py, docs/security.md).
    "accounts.security.StaffSecurityMiddleware",
    # The portal's own rate limits answer 429 in the user's language (core/ratelimit.py).
    "core.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "cluster_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.permissions_context",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "cluster_portal.wsgi.application"

# Database: SQLite by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A read replica for anonymous reads of public pages (core.db.replica), when configured.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=envint("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db.replica.ReplicaRouter"]
REPLICA_READ_PAGES = envlist(
    "REPLICA_READ_PAGES",
    "pages:home,pages:association-list,pages:association-detail,"
    "projects:project-list,projects:project-detail,associations:directory",
)
# Behind PgBouncer in transaction pooling, server-side cursors (QuerySet.iterator) must be off.
DISABLE_SERVER_SIDE_CURSORS = envbool("DISABLE_SERVER_SIDE_CURSORS", "false")
for _alias in DATABASES:
    DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = DISABLE_SERVER_SIDE_CURSORS
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite without the PostgreSQL-only search indexes the models declare.
    DATABASES["default"]["ENGINE"] = "core.db.backends.sqlite3"
if IS_POSTGRES:
    # A database that does not answer fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and the cache when REDIS_URL is set. The cache fails open when Redis
# is stopped or paused, and the sign-in rate limits fall back to a per-process counter
# (core/cache.py, docs/outages.md).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a real worker with Redis; tasks run in-process without REDIS_URL.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false" if REDIS_URL else "true")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 120)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker keeps reconnecting to Redis however long it is away (Celery's default gives up after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A request hands a task to Redis within about a second or gives up (core/tasks.py: no retry loop);
# the worker and beat wait longer for Redis (CELERY_WORKER_BROKER_SOCKET_TIMEOUT, cluster_portal/celery.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_WORKER_BROKER_SOCKET_TIMEOUT = envint("CELERY_WORKER_BROKER_SOCKET_TIMEOUT", 30)
# Periodic work has its own queue, so a delivery backlog never delays the sweep or the reminders.
CELERY_TASK_ROUTES = {
    "notifications.tasks.sweep_notifications": {"queue": "periodic"},
    "applications.tasks.send_review_reminders": {"queue": "periodic"},
    "privacy.tasks.delete_after_withdrawal": {"queue": "periodic"},
    "imports.tasks.sweep_import_jobs": {"queue": "periodic"},
    # Imports (35,000 rows take minutes) have theirs, so e-mails on the default queue never wait behind one.
    "imports.tasks.*": {"queue": "imports"},
}
CELERY_TIMEZONE = "Europe/Moscow"
# Beat remembers when each task last ran in this file: outside the repository by default.
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(Path(tempfile.gettempdir()) / "cluster-portal-celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {}

# Notification e-mail delivery (notifications/delivery.py). A claimed e-mail is taken back only
# after NOTIFICATION_CLAIM_TIMEOUT, which must exceed the send task's hard time limit.
NOTIFICATION_SEND_TIME_LIMIT = envint("NOTIFICATION_SEND_TIME_LIMIT", 60)
NOTIFICATION_CLAIM_TIMEOUT = timedelta(
    seconds=max(
        envint("NOTIFICATION_CLAIM_TIMEOUT", NOTIFICATION_SEND_TIME_LIMIT + 30), NOTIFICATION_SEND_TIME_LIMIT + 1
    )
)
NOTIFICATION_SWEEP_AFTER = timedelta(seconds=envint("NOTIFICATION_SWEEP_AFTER", 120))
NOTIFICATION_SWEEP_INTERVAL = envint("NOTIFICATION_SWEEP_INTERVAL", 60)
# SMTP failures are retried for NOTIFICATION_RETRY_PERIOD (3 days, as mail servers do), then `failed`;
# NOTIFICATION_MAX_ATTEMPTS (0: no limit) caps the attempts as well.
NOTIFICATION_MAX_ATTEMPTS = envint("NOTIFICATION_MAX_ATTEMPTS", 0)
NOTIFICATION_RETRY_PERIOD = timedelta(seconds=envint("NOTIFICATION_RETRY_PERIOD", 3 * 24 * 3600))
NOTIFICATION_RETRY_BACKOFF = envint("NOTIFICATION_RETRY_BACKOFF", 30)
NOTIFICATION_RETRY_BACKOFF_MAX = envint("NOTIFICATION_RETRY_BACKOFF_MAX", 3600)
# Retries due sooner wait in the broker (a countdown); later ones are left to the sweep.
NOTIFICATION_RETRY_COUNTDOWN_MAX = envint("NOTIFICATION_RETRY_COUNTDOWN_MAX", 300)
# A row the sweep enqueued is enqueued again only after this long.
NOTIFICATION_REENQUEUE_AFTER = timedelta(seconds=envint("NOTIFICATION_REENQUEUE_AFTER", 300))
# Pending longer than this: listed on the staff outbox page and counted by /healthz.
NOTIFICATION_LONG_PENDING_AFTER = timedelta(seconds=envint("NOTIFICATION_LONG_PENDING_AFTER", 900))
# Redis hands an unacknowledged message to another worker after the visibility timeout: longer than
# any task may hold one (the longest time limit plus the longest countdown), shorter than an hour, so
# a killed worker's messages come back in minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint(
        "CELERY_VISIBILITY_TIMEOUT",
        max(CELERY_TASK_TIME_LIMIT, NOTIFICATION_SEND_TIME_LIMIT) + NOTIFICATION_RETRY_COUNTDOWN_MAX + 60,
    ),
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
}
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.sweep_notifications",
    "schedule": float(NOTIFICATION_SWEEP_INTERVAL),
    # A sweep that could not run in its interval is dropped, not run late beside the next one.
    "options": {"expires": float(NOTIFICATION_SWEEP_INTERVAL)},
}
CELERY_BEAT_SCHEDULE["review-reminders"] = {
    "task": "applications.tasks.send_review_reminders",
    "schedule": crontab(hour=envint("APPLICATION_REMINDER_HOUR", 9), minute=0),
}
# Accounts whose consent was withdrawn 30 days ago are deleted (privacy/services.py, docs/privacy.md).
CELERY_BEAT_SCHEDULE["privacy-deletions"] = {
    "task": "privacy.tasks.delete_after_withdrawal",
    "schedule": crontab(hour=3, minute=30),
}

# Accounts
AUTH_USER_MODEL = "accounts.User"
# One backend, so one password hash per attempt, an unknown address included (tests/test_security_auth.py).
# allauth's backend is a ModelBackend: the admin's permissions still come from it.
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/cabinet/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Sign-up also asks for the 152-FZ personal-data consent (accounts/forms.py).
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupConsentForm"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The account e-mails: the portal's templates, the recipient's language, SITE_URL's domain.
ACCOUNT_ADAPTER = "accounts.adapter.PortalAccountAdapter"
# Tell the owner when the password or the address changes (templates/account/email/).
ACCOUNT_EMAIL_NOTIFICATIONS = True

# Sign-in limits (docs/security.md). `login_failed` counts per client address and per (address,
# account) pair (accounts.adapter keys it so): five wrong passwords for an account from one address
# cool that pair off for five minutes and leave its owner free to sign in from any other.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
}
# The client's address: the last TRUSTED_PROXY_COUNT proxies' X-Forwarded-For entries are trusted
# (0: the header is ignored, the socket's address counts), or a header the proxy sets.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "") or None
# Two-factor (allauth.mfa): TOTP with recovery codes, required for staff roles (accounts/security.py).
MFA_ADAPTER = "accounts.security.PortalMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Cluster Portal")
# Staff sessions end after this long without a request, and this long after signing in.
STAFF_SESSION_IDLE_TIMEOUT = timedelta(minutes=envint("STAFF_SESSION_IDLE_MINUTES", 30))
STAFF_SESSION_MAX_AGE = timedelta(hours=envint("STAFF_SESSION_MAX_HOURS", 12))
# The portal's own limits (core/ratelimit.py): "<count>/<period>" with s, m, h or d.
PORTAL_RATE_LIMITS = {
    "invitation_per_organisation": os.environ.get("RATE_LIMIT_INVITATIONS", "20/d"),
    "invitation_per_user": "50/d",
    "join_request": os.environ.get("RATE_LIMIT_JOIN_REQUESTS", "10/d"),
    "participation_request": os.environ.get("RATE_LIMIT_PARTICIPATION_REQUESTS", "20/d"),
    "application_submit": os.environ.get("RATE_LIMIT_APPLICATION_SUBMITS", "20/d"),
}

# Internationalisation: Russian first, English selectable, no language prefix in paths.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

# Static and uploaded files
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded documents are private: no URL pattern or web server serves this prefix;
# documents are downloaded only through permission-checked views.
MEDIA_URL = "/private-media/"
# Several web machines share uploads through S3-compatible storage (django-storages) when
# S3_BUCKET is set; the bucket stays private and documents are still served by the portal.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    _s3_options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("S3_PREFIX", "documents"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    _document_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}
else:
    _document_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _document_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@cluster.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: Django's protections stay on; stricter when DEBUG is off (docs/security.md).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    # Load balancers probe /healthz over plain HTTP: answer it rather than redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "true")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if SESSION_COOKIE_SECURE:
        # `__Host-`: the browser keeps these only if Secure, Path=/ and without Domain (no subdomain sets them).
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole registrable domain, which the portal's operator may not own: opt-in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): only the portal's own files, nothing inline, no framing.
CSP_REPORT_PATH = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its arrows and toggler icons as data: SVG images in its CSS.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": CSP_REPORT_PATH,
    }
}
CSP_REPORT_MAX_SIZE = 64 * 1024
CSP_REPORT_LOG_PER_MINUTE = envint("CSP_REPORT_LOG_PER_MINUTE", 60)
# Permissions-Policy: the portal uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}

# Uploads. Django's two MEMORY_SIZE settings do not cap a file's size: REQUEST_BODY_MAX_SIZE does,
# before the body is read (cluster_portal/security.py; nginx's client_max_body_size in front).
REQUEST_BODY_MAX_SIZE = envint("REQUEST_BODY_MAX_SIZE", 12 * 1024 * 1024)
# Larger caps for a few paths: the organisation import in the admin takes files up to 50 MB (imports/admin.py).
REQUEST_BODY_MAX_SIZE_BY_PREFIX = {"/admin/imports/": envint("IMPORT_BODY_MAX_SIZE", 51 * 1024 * 1024)}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "cluster_portal.security.BodySizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# An optional virus check of every upload by clamd (core/documents.py): a unix socket, or host:port.
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "")
CLAMD_HOST = os.environ.get("CLAMD_HOST", "")
CLAMD_PORT = envint("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = envint("CLAMD_TIMEOUT", 30)

# Domain settings
APPLICATION_COOLING_OFF = timedelta(days=envint("APPLICATION_COOLING_OFF_DAYS", 30))
APPLICATION_REMINDER_AFTER = timedelta(hours=envint("APPLICATION_REMINDER_AFTER_HOURS", 72))
PRIVACY_POLICY_VERSION = os.environ.get("PRIVACY_POLICY_VERSION", "2026-11-01")

# The JSON API under /api/ (api/, docs/api.md): read-only, session or personal token, problem details.
# Rates per anonymous address and per token (or signed-in user): "<n>/sec|min|hour|day".
API_THROTTLE_ANON = os.environ.get("API_THROTTLE_ANON", "60/min")
API_THROTTLE_TOKEN = os.environ.get("API_THROTTLE_TOKEN", "600/min")
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", 365)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonAddressThrottle", "api.throttling.CallerThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The anonymous throttle's address: X-Forwarded-For only as far as our own proxies (never forged).
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "Cluster Portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.models.ApplicationStatus",
        "AssociationStatusEnum": "associations.models.AssociationStatus",
    },
    "PREPROCESSING_HOOKS": ["api.schema.only_versioned_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}

# The audit log (django-auditlog; docs/audit.md): a related object is recorded by its name, not its id,
# and no IP address is kept (the page shows who and when, nothing more is needed).
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
AUDITLOG_DISABLE_REMOTE_ADDR = True

# The organisation import (docs/import.md): rows written per transaction, and the background job's limits.
IMPORT_BATCH_SIZE = envint("IMPORT_BATCH_SIZE", 1000)
IMPORT_TASK_TIME_LIMIT = envint("IMPORT_TASK_TIME_LIMIT", 1800)
# imports.jobs.import_jobs_sweep: a job waiting this long after its hand-off is handed over again;
# a running one with no finished batch for this long lost its worker and is marked failed.
IMPORT_RESEND_AFTER = timedelta(seconds=envint("IMPORT_RESEND_AFTER", 300))
IMPORT_STALLED_AFTER = timedelta(seconds=envint("IMPORT_STALLED_AFTER", 600))
IMPORT_SWEEP_INTERVAL = envint("IMPORT_SWEEP_INTERVAL", 120)
CELERY_BEAT_SCHEDULE["imports-sweep"] = {
    "task": "imports.tasks.sweep_import_jobs",
    "schedule": float(IMPORT_SWEEP_INTERVAL),
    "options": {"expires": float(IMPORT_SWEEP_INTERVAL)},
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler would print each line a second time beside the root's.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
