"""Settings for ForSURE logins, read from the environment (12-factor).

Development (DEBUG=1) works with nothing set: SQLite, a generated secret key and a generated
Fernet key kept in git-ignored files. With DEBUG off the app refuses to start unless SECRET_KEY
and FIELD_ENCRYPTION_KEY are provided.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as `600/min`; set but empty, None: no limit."""
    value = os.environ.get(name)
    return default if value is None else (value.strip() or None)


def development_secret(path: Path, generate) -> str:
    """Read a development secret from `path`, creating it on first use."""
    if not path.exists():
        path.write_text(generate() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = development_secret(
        BASE_DIR / ".dev-secret-key", lambda: Fernet.generate_key().decode() * 2
    )

# A list of Fernet keys, newest first: the first encrypts, all of them decrypt.
FIELD_ENCRYPTION_KEY = env_list("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set when DEBUG is off "
            "(comma-separated Fernet keys, newest first)."
        )
    FIELD_ENCRYPTION_KEY = [
        development_secret(
            BASE_DIR / ".dev-field-encryption-key", lambda: Fernet.generate_key().decode()
        )
    ]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Browser frontends on other origins may call the API (and only the API). Comma-separated
# origins, e.g. "https://app.example.com"; in development any localhost port may too.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOWED_ORIGIN_REGEXES = (
    [r"^http://localhost(:\d+)?$", r"^http://127\.0\.0\.1(:\d+)?$"] if DEBUG else []
)
CORS_URLS_REGEX = r"^/(logins|users)/"

# How many reverse proxies of ours stand in front of the app: the client address recorded in
# password access events, counted by the request throttles and locked out by django-axes is
# then taken from X-Forwarded-For instead of REMOTE_ADDR (config/client_address.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "reporting",
    "clients",
    "credentials",
    "registrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer on its own (WhiteNoise, CommonMiddleware's redirects), so
    # those answers carry CORS headers too and preflights are answered before authentication.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with its lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username before any password is checked. It
# guards every authenticate(request=...), the admin's login form included; tokens, API keys
# and sessions never call authenticate() and are not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clients.authentication.MemberModelBackend",
]
# A username is locked out from one client address only, so an attacker who fails against
# every username cannot lock their owners out from their own offices; the request throttles
# and the address's own lockouts still bound how fast one address can guess.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(hours=float(os.environ.get("AXES_COOLOFF_TIME", "1")))
AXES_RESET_ON_SUCCESS = True
# Failures and lockouts are still logged; not the banner axes prints at every start.
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_ip"

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that needs no round trip and prepared statements
    # for the statements of every request (config/postgresql).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # JIT compilation pays off on long analytical queries; on the client list's counts over
    # 100k rows it only adds ~0.2 s of compiling to each request.
    # work_mem: the ids of a filter matching half of 100k clients sort in memory (about 5 MB)
    # rather than on disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c work_mem=16MB"

# Off behind a pooler that cannot keep prepared statements (config/postgresql/base.py).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Client list answers and statistics are cached under each organization's portfolio version
# (clients/portfolio_version.py), so a cache never answers with stale data; it only saves work.
# Without CACHE_URL each process keeps its own memory cache; redis://host:6379/0 shares one
# between app servers.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "forsure"),
        }
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100"))},
        }
    }
else:
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss:// or unix://, or be locmem://."
    )
PORTFOLIO_CACHE_SECONDS = int(os.environ.get("PORTFOLIO_CACHE_SECONDS", "3600"))
# How long a file uploaded to the admin's import waits for its confirmation (it is stored
# encrypted meanwhile).
IMPORT_UPLOAD_TTL = int(os.environ.get("IMPORT_UPLOAD_TTL", "3600"))
# The admin's import keeps an uploaded file in the database, encrypted and bound to its user,
# never in the temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "credentials.import_uploads.PendingImportStorage"
# Bulk uploads of more data rows than this run as background jobs on the task queue.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "20000"))

# Task queue (Celery, config/celery.py): import jobs, periodic reminders. Without a broker
# (development, tests) a task runs at once in the process that queues it, so nothing more has
# to run; production sets CELERY_BROKER_URL=redis://... and runs `celery -A config worker`.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker takes one message at a time: an import job is long, and the others wait for a free
# worker rather than behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "credentials.tasks.deadline_reminders",
        "schedule": 3600.0,  # hourly: at most one digest per user and day anyway
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Large CSV uploads arrive as JSON bodies; anything bigger is refused with a clear 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000
# The largest CSV file the admin's import takes (a file upload is not a request body, so the
# limit above does not reach it); the same size as the API's by default.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE))

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clients.authentication.MemberTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clients.permissions.IsOrganizationMember"],
    # The API speaks JSON only: other bodies answer 415, and the schema offers no form bodies
    # that a generated client would try to send.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    # Per token (its user) or session user, and per client address for everyone else,
    # refused tokens included (config/throttling.py); /users counts per API key instead.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.UserRateThrottle",
        "config.throttling.ClientAddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("THROTTLE_RATE_USER", "600/min"),
        "api_key": env_rate("THROTTLE_RATE_API_KEY", "600/min"),
        "anon": env_rate("THROTTLE_RATE_ANON", "60/min"),
        # Login attempts per client address (`POST /logins/auth/token`).
        "auth": env_rate("THROTTLE_RATE_AUTH", "10/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ForSURE logins API",
    "DESCRIPTION": (
        "PRO portal logins, registration numbers, aliases and producer registrations for EPR "
        "compliance agencies. `/logins` routes take `Authorization: Token <key>`; `/users` routes "
        "take an organization API key as the raw `Authorization` header value."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the project's own static files: the docs work offline and load
    # nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["config.openapi.document_paths_without_optional_slash"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_common_answers",
    ],
    # Several models have a `status`: name each enum after its model so they do not collide.
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "clients.models.ClientStatus",
        "CredentialStatusEnum": "credentials.models.CredentialStatus",
        "CredentialSearchStatusEnum": "credentials.api.serializers.SEARCH_ROW_STATUSES",
    },
}

# The upstream service that publishes the EPR catalog (countries, PROs, report types).
REPORTING_API_URL = os.environ.get("REPORTING_API_URL", "")
REPORTING_API_KEY = os.environ.get("REPORTING_API_KEY", "")
REPORTING_API_TIMEOUT = float(os.environ.get("REPORTING_API_TIMEOUT", "10"))
REPORTING_API_RETRIES = int(os.environ.get("REPORTING_API_RETRIES", "3"))
REPORTING_API_BACKOFF = float(os.environ.get("REPORTING_API_BACKOFF", "0.5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Passwords older than this many days need attention, unless the PRO sets its own maximum
# (Pro.password_max_age_days). Unset: only the PROs' own maximums count.
PASSWORD_MAX_AGE_DAYS = (
    int(os.environ["PASSWORD_MAX_AGE_DAYS"]) if os.environ.get("PASSWORD_MAX_AGE_DAYS") else None
)

# Mail (deadline reminders): printed to the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ForSURE logins <noreply@localhost>")
