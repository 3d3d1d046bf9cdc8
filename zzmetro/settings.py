"""One settings file for every environment; the environment variables below are the only knobs.

Defaults give a local development server on SQLite. Each variable is read through a small helper
that refuses a malformed value at start-up rather than guessing what was meant.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
# https://dashboard.example.gov.cn, when forms are posted through a proxy that renames the host.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The admin's address: somewhere other than the well-known /admin/ if set (e.g. "office-7f3k/").
ADMIN_PATH = env_str("ADMIN_PATH", "admin/").strip("/") + "/"
if ADMIN_PATH == "/":
    raise ImproperlyConfigured("ADMIN_PATH must name a path, such as office/")

INSTALLED_APPS = [
    "zzmetro.apps.ZzmetroAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "ninja",  # its vendored Swagger UI, for the API's page
]
# The project's own apps, each building only on those before it (tests/test_architecture.py).
PROJECT_APPS = [
    "plan",
    "people",
    "tasks",
    "investment",
    "problems",
    "figures",
    "exports",
    "bulletins",
    "dashboard",
    "api",
    "opendata",
    "demo",
]
INSTALLED_APPS += PROJECT_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middleware below writes; whitenoise serves its own .gz and .br files.
    "zzmetro.middleware.Compression",
    # Outside the session and CSRF middleware: it sees the cookies they set (never public then).
    "zzmetro.middleware.PrivateAnswers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zzmetro.middleware.SessionRenewalMiddleware",
    "zzmetro.middleware.ChineseFirstLocaleMiddleware",
    "api.middleware.JsonErrors",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zzmetro.urls"

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
                "figures.sample.sample_data",
            ],
        },
    },
]

WSGI_APPLICATION = "zzmetro.wsgi.application"

# DATABASE_URL selects the database (postgres://user@host:5432/name); SQLite otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, so two saves queue up instead of
    # one failing half-way with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

# PostgreSQL: JIT compilation off. The figures' queries are short but cost-estimated high, so
# PostgreSQL spent more time compiling them than running them (bench/RESULTS.md: the overview's
# slowest query 153 ms with JIT, 23 ms without). DATABASE_JIT=true turns it back on.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DATABASE_JIT", False
):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# PostgreSQL: DATABASE_POOL=true keeps a psycopg pool of connections per process (Django's
# own pooling, which needs CONN_MAX_AGE 0); otherwise each request opens its own.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", False
):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN", 2),
        "max_size": env_int("DATABASE_POOL_MAX", 10),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The figures cache must be one that every process shares, or a save seen by one gunicorn worker
# would leave another serving old figures: Redis with CACHE_URL=redis://host:6379/0 (several
# hosts), else files under CACHE_DIR on this host. Keys carry the database's name, so two
# databases never share an entry.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR") or str(BASE_DIR / ".cache"),
        }
    )
}
CACHES["default"]["KEY_PREFIX"] = f"zzmetro:{DATABASES['default']['NAME']}"
# How long computed page figures are kept; every save that changes a figure retires them.
FIGURES_CACHE_SECONDS = env_int("FIGURES_CACHE_SECONDS", 600)

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after this many failures for one user from one address, that pair is locked
# out for the cool-off time. The office unlocks earlier in the admin (Axes → Access attempts →
# delete), or:
# python manage.py axes_reset_username NAME.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind a proxy, the client's address comes from X-Forwarded-For (set by the proxy, never
# trusted from the client directly otherwise), read by django-ipware. PROXY_COUNT is how many
# reverse proxies stand in front of Django (1 when BEHIND_PROXY). Each appends the address it
# was reached from; the last one is REMOTE_ADDR, so the client is the header's PROXY_COUNT-th
# entry from the right. django-ipware's count is of the proxies listed after the client in the
# header, one fewer. Not strict: entries a client sent itself, left of those, are ignored rather
# than making the whole header fall back to the proxy's address, which would lock out everyone.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1 if BEHIND_PROXY else 0)
if BEHIND_PROXY and PROXY_COUNT < 1:
    raise ImproperlyConfigured("PROXY_COUNT must be at least 1 when BEHIND_PROXY is on")
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_PROXY else ["REMOTE_ADDR"]
)
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if BEHIND_PROXY else None
IPWARE_STRICT = False

# Sessions end after this much inactivity (requests renew them: SessionRenewalMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded photos (investment.ProjectPhoto) go through the default storage, files under
# MEDIA_ROOT; several hosts need a folder they share or a django-storages backend. No URL
# serves MEDIA_ROOT: investment.views.project_photo serves each photo to who may see its update.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# HTTPS: on by default when DEBUG is off. HTTPS=false serves plain HTTP (make serve, locally).
HTTPS = env_bool("HTTPS", not DEBUG)

# The site's own address, for links in files made once and kept (an issued bulletin's PDF),
# never a request's Host header. By default the first allowed host, on HTTPS when it is on.
# The bulletin as an office's document (GB/T 9704): who issues it (发文机关, its signature and
# 印发 line), to whom it goes (主送) and is copied (抄送); empty lines are left out.
BULLETIN_ISSUER = env_str("BULLETIN_ISSUER", "郑州都市圈办公室")
BULLETIN_TO = env_str("BULLETIN_TO")
BULLETIN_CC = env_str("BULLETIN_CC")
# 核稿: a second office account checks the draft (its 下步工作) before it may be issued.
BULLETIN_COUNTERSIGN = env_bool("BULLETIN_COUNTERSIGN", False)

SITE_URL = env_str("SITE_URL").rstrip("/")
if not SITE_URL:
    host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost"
    if host.startswith((".", "*")):
        raise ImproperlyConfigured("SITE_URL must be set when ALLOWED_HOSTS starts with a pattern")
    SITE_URL = f"{'https' if HTTPS else 'http'}://{host}"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
if BEHIND_PROXY:
    # The proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Intranet host names cannot be on the browsers' HSTS preload list, so its check is moot.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy: no inline script or style anywhere; everything from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Only users with these permissions may import or export in the admin (django-import-export
# otherwise lets anyone who can view a model import into it).
# The read-only pages need a signed-in user unless this is on.
DASHBOARD_PUBLIC = env_bool("DASHBOARD_PUBLIC", False)
# How long anyone (a proxy, a browser) may keep what the public reads other than pages: files,
# open data and the API without a key (zzmetro.middleware.PrivateAnswers).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)

# The read API (/api/v1/): requests per key (per address without one) in a sliding window,
# and the largest page of a list.
API_RATE = env_str("API_RATE", "300/m")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 200)

# Open data (/opendata/): who publishes it, under which licence (a URL), as the catalogue and
# every dataset's field dictionary state them; by default the bulletins' issuer.
OPEN_DATA_PUBLISHER = env_str("OPEN_DATA_PUBLISHER", BULLETIN_ISSUER)
# The OC4IDS project id prefix the OC4IDS Helpdesk registers for the publisher (oc4ids-
# and six characters); the zeros say none is registered yet.
OC4IDS_PREFIX = env_str("OC4IDS_PREFIX", "oc4ids-000000")
OPEN_DATA_LICENSE_URL = env_str(
    "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)

# The problem list's escalation: yellow when due within this many days, red when overdue by
# more than that many.
PROBLEM_WARNING_DAYS = env_int("PROBLEM_WARNING_DAYS", 7)
PROBLEM_RED_DAYS = env_int("PROBLEM_RED_DAYS", 30)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Pace status: completed against what the plan's pace expects by the as-of quarter. At or
# above ON_TRACK of the expected amount is on track, at or above AT_RISK at risk, below behind.
PACE_ON_TRACK = Decimal("0.90")
PACE_AT_RISK = Decimal("0.70")

# Reminders (send_reminders) print to the console unless an SMTP server is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zzmetro@localhost")

# History is a record, never an editing path: reverting would bypass the reporting workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
