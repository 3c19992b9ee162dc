"""Settings of the partner portal. Every value comes from the environment (see README)."""

from pathlib import Path

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from prm.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-only-used-when-debug-is-on"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
else:
    SECRET_KEY = env_required(
        "SECRET_KEY", "With DEBUG off, set SECRET_KEY to a random string of 50 characters or more."
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. With DEBUG off, set it to the host names the portal "
            "answers to, separated by commas (for example portal.example.com)."
        )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    # The stock admin on a site of ours: the sidebar grouped by workflow, a queue as its home (prm.admin_site).
    "prm.admin_config.PrmAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "prm",
    "prm.accounts",
    "prm.audit",
    "prm.notifications",
    "prm.sla",
    "prm.idempotency",
    "prm.money",
    "partners",
    "catalogue",
    "deals",
    "leads",
    "analytics",
]

# Forms are laid out by the design system's Bootstrap 5 pack (ADR 0014): {{ form|crispy }}.
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "prm.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A request waits on a failed Redis once; a Redis error escaping a view answers 503 (ADR 0008).
    "prm.redis_outage.RedisOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # 400 for a NUL in a query parameter or a form field, before any view (prm.http_guards).
    "prm.http_guards.NulRefusedMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prm.audit.middleware.AuditContextMiddleware",
    "prm.accounts.middleware.SessionTimeoutMiddleware",
    "prm.accounts.middleware.UserLanguageMiddleware",
    "prm.accounts.middleware.UserTimeZoneMiddleware",
    "prm.accounts.middleware.StaffMfaRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "partners.middleware.AgreementGateMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prm.context_processors.portal",
            ],
        },
    },
]

# --- data stores -----------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test` (they start an embedded "
        "PostgreSQL when it is unset) or set DATABASE_URL=postgres://user:pass@host:5432/name."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL.")

REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Use `make run` / `make test` (they start an embedded Redis "
        "when it is unset) or set REDIS_URL=redis://host:6379/0."
    )
CACHES = {
    "default": {
        # Django's Redis cache, which a request waits on at most once when Redis fails (ADR 0008).
        "BACKEND": "prm.redis_outage.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "prm"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- accounts and security ------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "prm.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Partner Portal")

# Idle and absolute session limits (seconds).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Demo staff may skip the MFA requirement, in DEBUG only.
MFA_EXEMPT_DEMO_STAFF = DEBUG

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Proxies in front of the web server whose X-Forwarded-For entries are believed (0: none, the
# socket's address is the client). One rule, prm.client_ip, for throttles, rate limits and audit.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies.")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Request limits: oversize bodies and too many fields answer 400, never 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)

# --- email ----------------------------------------------------------------------------------

EMAIL_URL = env_str("EMAIL_URL", "console:" if DEBUG else "smtp://localhost:25")
_email = dj_email_url.parse(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Partner Portal <portal@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- languages and time ------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pt-br", _("Portuguese (Brazil)")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Dates with a time show their zone (prm/formats).
FORMAT_MODULE_PATH = ["prm.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")

# --- static files ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploaded files (partner logos) live outside the web root and are served only through scoped views.
# Uploaded files (logos). Never served from a public URL: views check access and stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
LOGO_MAX_BYTES = env_int("LOGO_MAX_BYTES", 2 * 1024 * 1024)
LEAD_IMPORT_MAX_BYTES = env_int("LEAD_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)
# How long an idempotency key (API header, form token) answers its first result again (ADR 0011).
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# The ECB euro reference rates that `load_exchange_rates` and its daily task read (ADR 0010).
EXCHANGE_RATES_URL = env_str("EXCHANGE_RATES_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml")

# --- API ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "prm.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bounded input for every view (prm.api_input): JSON depth, NUL, page sizes.
    "DEFAULT_PARSER_CLASSES": [
        "prm.api_input.SafeJSONParser",
        "prm.api_input.SafeFormParser",
        "prm.api_input.SafeMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "prm.api_input.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "prm.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "prm.api.exception_handler",
    # The same count as prm.client_ip (DRF would otherwise take X-Forwarded-For as given).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {"user": "600/min", "anon": "60/min"},
    "DEFAULT_THROTTLE_CLASSES": [
        # Cache down: open for authenticated requests and reads, 503 for anonymous writes (ADR 0008).
        "prm.throttling.UserRateThrottle",
        "prm.throttling.AnonRateThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Inputs and answers are separate components: a request's text fields that refuse blanks say so
    # (minLength), its strict inputs refuse unknown properties (prm.api.schema).
    "COMPONENT_SPLIT_REQUEST": True,
    # The API speaks JSON: request bodies are documented as JSON, and as multipart only where a
    # view uploads a file and says so (the partner's logo, a lead import).
    "PARSER_WHITELIST": ["prm.api_input.SafeJSONParser"],
}

# --- guardian ----------------------------------------------------------------------------------

ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Celery ------------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every broker call from a request is bounded (ADR 0008): 2 s to connect, 2 s to read or write on an
# open connection, one connection attempt (the outbox sweeper delivers what was not published).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 0,
}
CELERY_TIMEZONE = "UTC"
# The program dashboard's ranking (analytics.program): components and their weights, as
# "revenue=40,growth=20,registrations=20,win_rate=10,acceptance=10".
ANALYTICS_RANKING_WEIGHTS = {
    name.strip(): int(weight)
    for name, _sep, weight in (
        part.partition("=")
        for part in env_str(
            "ANALYTICS_RANKING_WEIGHTS", "revenue=40,growth=20,registrations=20,win_rate=10,acceptance=10"
        ).split(",")
        if part.strip()
    )
}

CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "prm.sla.tasks.sweep_deadlines", "schedule": 60.0},
    "outbox-sweep": {"task": "prm.notifications.tasks.sweep_outbox", "schedule": 60.0},
    "lead-imports-resume": {"task": "leads.tasks.lead_imports_resume", "schedule": 120.0},
    "leads-assign-pool": {"task": "leads.tasks.leads_assign_pool", "schedule": 900.0},
    "won-revenue-refresh": {"task": "deals.tasks.refresh_won_revenue", "schedule": 300.0},
    "analytics-rollup": {"task": "analytics.tasks.rollup_recent", "schedule": 3600.0},
    "idempotency-keys-purge": {"task": "prm.idempotency.tasks.purge_idempotency_keys", "schedule": 3600.0},
    # The ECB publishes around 16:00 CET; a failed load is logged and tried again the next day.
    "exchange-rates-load": {"task": "prm.money.tasks.load_exchange_rates", "schedule": crontab(hour=16, minute=30)},
    # Inactive partners: one alert per episode to their CAMs (analytics.services.activity).
    "analytics-activity": {"task": "analytics.tasks.activity_check", "schedule": 3600.0},
    # Monday morning: the CAMs' portfolio and the partner admins' pipeline of the past week.
    "analytics-digests": {
        "task": "analytics.tasks.weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
}
# Publishing on commit must not hang a request when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# --- logging -----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "prm.views.csrf_failure"
