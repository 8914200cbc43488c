"""Settings for 政协履职工作平台.

Everything that differs between machines comes from the environment (names in API.md):
DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS, EMAIL_*.
Without DATABASE_URL / CELERY_BROKER_URL the app runs on an embedded SQLite database and kombu's
filesystem broker so `make run` needs no server; tests and production name PostgreSQL and Redis.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ZHENGXIE_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """A local `.env` (written by `make env`, ignored by git) gives a development machine its defaults;
    real environment variables always win."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


if os.environ.get("DJANGO_SETTINGS_MODULE", "zhengxie.settings") == "zhengxie.settings":
    # DJANGO_DOTENV="" turns the file off (as production and the deployment test do).
    _dotenv = os.environ.get("DJANGO_DOTENV", str(BASE_DIR / ".env"))
    if _dotenv:
        load_dotenv(Path(_dotenv))

DEBUG = env_bool("DJANGO_DEBUG", False)

# Without a key, production settings still load (checks and migrations run anywhere), but every serving
# process — WSGI, ASGI, Celery — refuses to start (zhengxie.startup.require_secret_key).
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "django_htmx",
    "csp",
    # shared apps
    "zhengxie.accounts",
    "zhengxie.workflow",
    "zhengxie.notifications",
    "zhengxie.jobs",
    # domain apps, lowest first
    "members",
    "consultations",
    "deliberations",
    "activities",
    "sqyy",
    "proposals",
]

MIDDLEWARE = [
    # First: the garbage collector waits for the response to be sent (zhengxie/middleware.py).
    "zhengxie.middleware.CollectAfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhengxie.middleware.CleanInputMiddleware",
    "zhengxie.middleware.RequestMemoMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhengxie.middleware.FriendlyNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # axes must come last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengxie.urls"
WSGI_APPLICATION = "zhengxie.wsgi.application"
ASGI_APPLICATION = "zhengxie.asgi.application"

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
                "zhengxie.accounts.context_processors.role",
                "zhengxie.notifications.context_processors.unread",
                "zhengxie.committee.context",
            ],
            # Django's `date` filter, the same text at a tenth of the cost (zhengxie/date_filter.py).
            "builtins": ["zhengxie.date_filter"],
            "libraries": {
                "search_tags": "zhengxie.search_tags",
                "option_tags": "zhengxie.option_tags",
                "path_tags": "zhengxie.path_tags",
            },
        },
    },
]

# Django's widget templates, with <select> written in Python (the same markup; zhengxie/form_renderer.py).
FORM_RENDERER = "zhengxie.form_renderer.FormRenderer"

# --- database ---------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        # Ten minutes: each new connection is a new server process whose catalog caches start cold (the
        # first views on it were 10–60 ms slower); with a minute, every worker paid that every minute.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        # A kept connection the server has dropped (restart, failover, idle timeout) is checked at the
        # start of the next request and reopened, instead of answering that request with a 500.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------------------------
# "figures" holds zhengxie.figures_cache's entries (a statistics page's figures, a list's count and page
# ids, keyed by the database's snapshot, so never stale); its own alias, so the many list pages of a busy
# morning do not push the statistics out of the default's 300 entries. In each process's memory, or in one
# Redis that every web worker shares (FIGURES_CACHE_URL=redis://…).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
if os.environ.get("FIGURES_CACHE_URL"):
    CACHES["figures"] = {
        "BACKEND": "zhengxie.redis_cache.RedisCache",  # one redis-py client per pool, not per get
        "LOCATION": os.environ["FIGURES_CACHE_URL"],
        "KEY_PREFIX": "zhengxie",
        # A figure is worth a round trip of a millisecond, not a page stuck on a lost server.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: it pays off for long analytical queries, not for a page's. A list whose plan merely looks
    # expensive (a search over a province's assignments) spent 2.1 s compiling to run 3 s; the cost estimates
    # of the big tables cross jit_above_cost on many lists. Set per connection, so no server change is needed.
    # No parallel workers either: a page's query that checks rows against hashed subqueries (the searches)
    # had each worker build the same hashes again (the portal's search count 32 ms alone, 110–150 ms in
    # parallel at a quarter province), and the web workers already share the few cores.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DJANGO_PG_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0"
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo database ignores covering-index columns and NULLS NOT DISTINCT; both only
    # matter for PostgreSQL's speed and the statistics rollups, which SQLite rebuilds on read.
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

# --- accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "zhengxie.accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login lockout: 5 failures for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a reverse proxy: its address(es) or networks, comma-separated (e.g. `127.0.0.1` or `10.1.0.0/24`).
# Only requests from these read the client's address from X-Forwarded-For; otherwise the header is ignored.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES 中的地址无效：{_proxy}") from None
AXES_CLIENT_IP_CALLABLE = "zhengxie.accounts.client_ip.client_ip"

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- REST API ---------------------------------------------------------------------------------
# A token from POST /api/v1/auth/token/ works this many days (or until logout / a password change).
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zhengxie.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "zhengxie.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # The contract is JSON; views that take files add the multipart parser themselves (both from
    # zhengxie.parsers: DRF's, with control characters removed from every string, see zhengxie.text).
    "DEFAULT_PARSER_CLASSES": ["zhengxie.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "zhengxie.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "zhengxie.api.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "%Y-%m-%d",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政协履职工作平台 API",
    "DESCRIPTION": "掌上政协与集成方使用的 REST 接口（/api/v1/）。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Read-only fields are always in responses, so they are required there.
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zhengxie.api_schema.schema_postprocess",
    ],
    # Several models have a `role`/`status`/`state` field; name each enum after its owner.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "zhengxie.accounts.models.Role",
        "MemberStatusEnum": "members.models.Member.Status",
        "ProposalStateEnum": "proposals.models.Proposal.State",
        "CosignerStatusEnum": "proposals.models.Cosigner.Status",
        "AssignmentRoleEnum": "proposals.models.Assignment.Role",
        "HandlingTaskStateEnum": "zhengxie.workflow.models.HandlingTask.State",
        "ExtensionStateEnum": "proposals.models.Assignment.ExtensionState",
        "ContactWayEnum": "proposals.models.Contact.Way",
        "ReplyResultEnum": "proposals.models.Reply.Result",
        "OpinionReportStateEnum": "sqyy.models.OpinionReport.State",
    },
}

# Apps may add enum names for the schema in `<app>/schema_enums.py` (a dict of dotted paths only).
for _app in ("members", "consultations", "activities", "sqyy", "proposals"):
    try:
        _module = __import__(f"{_app}.schema_enums", fromlist=["ENUM_NAME_OVERRIDES"])
    except ModuleNotFoundError:
        continue
    SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(_module.ENUM_NAME_OVERRIDES)

# --- imports (django-import-export) -------------------------------------------------------------
IMPORT_EXPORT_TMP_STORAGE_CLASS = "zhengxie.accounts.import_storage.PrivateTempStorage"
IMPORT_TMP_DIR = DATA_DIR / "import-tmp"
IMPORT_TMP_MAX_AGE = int(os.environ.get("IMPORT_TMP_MAX_AGE", str(2 * 60 * 60)))
# Imported members without a 初始密码 set theirs through an activation link valid this many days.
ACCOUNT_ACTIVATION_DAYS = int(os.environ.get("ACCOUNT_ACTIVATION_DAYS", "30"))

# --- the committee -------------------------------------------------------------------------------
# Its place with the level (某省 / 某市 / 某区 / 某县): every document and page header names it.
COMMITTEE_REGION = os.environ.get("COMMITTEE_REGION", "某市")
COMMITTEE_NAME = os.environ.get("COMMITTEE_NAME") or f"中国人民政治协商会议{COMMITTEE_REGION}委员会"
COMMITTEE_SHORT_NAME = os.environ.get("COMMITTEE_SHORT_NAME") or f"{COMMITTEE_REGION}政协"

# --- reminders and channels ------------------------------------------------------------------
# The morning deadline scan runs at this local time (HH:MM); changing it needs no code change.
REMINDER_SCAN_TIME = os.environ.get("REMINDER_SCAN_TIME", "08:30")
NOTIFY_BY_EMAIL = env_bool("NOTIFY_BY_EMAIL", True)
NOTIFY_BY_SMS = env_bool("NOTIFY_BY_SMS", True)
CHANNEL_MAX_ATTEMPTS = int(os.environ.get("CHANNEL_MAX_ATTEMPTS", "6"))
# A copy still "sending" this many seconds after it was claimed belongs to a dead worker: queued once more.
# Keep it well above SMS_GATEWAY_TIMEOUT and the SMTP timeout.
CHANNEL_SENDING_TIMEOUT = int(os.environ.get("CHANNEL_SENDING_TIMEOUT", "600"))
SMS_BACKEND = os.environ.get("SMS_BACKEND", "zhengxie.notifications.channels.LoggingSmsBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
SMS_TEMPLATE = os.environ.get("SMS_TEMPLATE", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Read notices older than this many days move to the archive table each night (unread ones stay).
NOTIFICATION_ARCHIVE_DAYS = int(os.environ.get("NOTIFICATION_ARCHIVE_DAYS", "180"))

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("out", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Background jobs (zhengxie.jobs): an export of more rows than this runs on the worker (the user waits
# on /jobs/<id>/ and downloads the file there) instead of in the web request.
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "2000"))
JOB_KEEP_HOURS = int(os.environ.get("JOB_KEEP_HOURS", "72"))
JOB_STALE_HOURS = 3  # a job still running after this is taken as cut off by a dead worker
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# One static schedule for the one beat process.
CELERY_BEAT_SCHEDULE = {
    "morning-deadline-scan": {
        "task": "zhengxie.notifications.scan_deadlines",
        "schedule": crontab(
            hour=int(REMINDER_SCAN_TIME.split(":")[0]), minute=int(REMINDER_SCAN_TIME.split(":")[1])
        ),
    },
    # Picks up e-mail/SMS copies whose retry time has come (instead of long countdowns on the broker).
    "send-channel-deliveries": {"task": "zhengxie.notifications.send_channel_deliveries", "schedule": 60.0},
    "deliver-pending-reminders": {"task": "zhengxie.notifications.deliver_reminders", "schedule": 600.0},
    "archive-read-notifications": {
        "task": "zhengxie.notifications.archive_notifications",
        "schedule": crontab(hour=3, minute=30),
    },
    # Roster uploads previewed but never confirmed may hold initial passwords.
    "cleanup-import-uploads": {"task": "zhengxie.accounts.cleanup_import_uploads", "schedule": 3600.0},
    # Background jobs (large exports, roster imports) and their files are kept JOB_KEEP_HOURS.
    "cleanup-jobs": {"task": "zhengxie.jobs.cleanup_jobs", "schedule": 3600.0},
    "next-year-calendar": {
        "task": "zhengxie.workflow.remind_next_year_calendar",
        "schedule": crontab(hour=9, minute=0, day_of_month="1,15", month_of_year="11,12"),
    },
}

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhengxie@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security (production: DJANGO_DEBUG unset) -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts, styles, fonts and frames from this site only. Templates
# carry no inline handlers, <script> blocks or style="" attributes (tests/test_csp.py greps them);
# behaviour is bound from static/js/site.js by data- attributes. ECharts, Bootstrap and Swagger UI set
# styles through the DOM (CSSOM), which style-src does not restrict, and htmx's indicator <style> is
# turned off in base.html, so style-src needs no 'unsafe-inline'. Swagger UI (/api/docs/) is served by
# drf-spectacular's split view (its start-up script is a file) with templates/drf_spectacular/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# One line per refused request: 4xx responses are logged by django.request as a warning without the
# traceback, and only through the root handler (Django's own "django" console handler would print
# every record a second time in debug).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_client_error_traceback": {"()": "zhengxie.log_filters.DropClientErrorTraceback"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["no_client_error_traceback"], "propagate": True},
    },
}
