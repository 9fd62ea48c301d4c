"""Newsroom settings: one module, driven by environment variables.

Django's own settings read ``DJANGO_*`` variables, Newsroom's read ``NEWSROOM_*``; every default
is the safe one (DEBUG off, SQLite, local-memory cache).
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Take the key from the environment, else from a local file made on first use.

    The file lives in ``var/`` (ignored by git) so that a fresh checkout works without setup
    while no secret is ever committed.
    """
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = BASE_DIR / "var" / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "articles.middleware.SecurityHeadersMiddleware",
    "articles.middleware.RefuseNulMiddleware",  # before anything that queries
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "articles.middleware.ReadOnlyMethodsMiddleware",  # before CSRF: its 405 wins over a 403
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("NEWSROOM_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Kept open like PostgreSQL's (NEWSROOM_DB_CONN_MAX_AGE): opening the file and running the
    # PRAGMAs above cost a page a few tenths of a millisecond. Every query outside a transaction
    # reads the newest commit (WAL), so a kept connection sees other processes' changes at once;
    # newsroom/sqlite_files.py closes one whose file was moved or replaced.
    # Tests use a file too, as production does: an in-memory database is one connection shared
    # by the test and the live server's threads, which can block each other for good.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("NEWSROOM_TEST_DB")
        or os.path.join(tempfile.gettempdir(), f"newsroom-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("NEWSROOM_CACHE_PREFIX", "newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = ["articles.auth.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("NEWSROOM_MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("NEWSROOM_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: the production path is HTTPS behind a proxy; DJANGO_SECURE_SSL=0 turns the
# HTTPS-only settings off for plain-HTTP local serving.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Newsroom
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom 科技新闻")
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
NEWSROOM_MAX_FILE_BYTES = int(os.environ.get("NEWSROOM_MAX_FILE_BYTES", str(2 * 1024 * 1024)))
NEWSROOM_MAX_ZIP_ENTRIES = int(os.environ.get("NEWSROOM_MAX_ZIP_ENTRIES", "5000"))
NEWSROOM_FEED_ITEMS = int(os.environ.get("NEWSROOM_FEED_ITEMS", "30"))
NEWSROOM_PAGE_SIZE = int(os.environ.get("NEWSROOM_PAGE_SIZE", "20"))
NEWSROOM_CACHE_SECONDS = int(os.environ.get("NEWSROOM_CACHE_SECONDS", "300"))
# Page contexts each process keeps per content version (articles.versioned); 0: none.
NEWSROOM_PAGE_MEMO_ENTRIES = int(os.environ.get("NEWSROOM_PAGE_MEMO_ENTRIES", "400"))
NEWSROOM_IMAGE_ALLOWED_HOSTS = env_list("NEWSROOM_IMAGE_ALLOWED_HOSTS")
# CSP img-src origins besides our own, for hotlinked images not yet localized.
NEWSROOM_CSP_IMAGE_SOURCES = env_list(
    "NEWSROOM_CSP_IMAGE_SOURCES", "https://img.36krcdn.com,https://*.36krcdn.com"
)
# Admin login: failures allowed per account and per address within the window (seconds).
NEWSROOM_LOGIN_MAX_FAILURES = int(os.environ.get("NEWSROOM_LOGIN_MAX_FAILURES", "5"))
NEWSROOM_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("NEWSROOM_LOGIN_LOCKOUT_SECONDS", "900"))
# Where every process counts those failures: the shared cache with Redis, else the database
# (a process's local memory is never shared).
NEWSROOM_LOGIN_THROTTLE_STORE = os.environ.get(
    "NEWSROOM_LOGIN_THROTTLE_STORE", "cache" if REDIS_URL else "db"
)
if NEWSROOM_LOGIN_THROTTLE_STORE not in ("db", "cache") or (
    NEWSROOM_LOGIN_THROTTLE_STORE == "cache" and not REDIS_URL
):
    raise ImproperlyConfigured("NEWSROOM_LOGIN_THROTTLE_STORE must be 'db', or 'cache' with Redis")
# Proxies (IPs or CIDR networks) whose X-Real-IP / X-Forwarded-For name the client; from any
# other peer those headers are ignored and the socket address counts (articles/auth.py).
NEWSROOM_TRUSTED_PROXIES = env_list("NEWSROOM_TRUSTED_PROXIES")
# Admin import page: limits per upload, and where uploads wait between preview and confirm
# (must be shared by all web workers; never under MEDIA_ROOT).
NEWSROOM_IMPORT_MAX_UPLOAD_BYTES = int(
    os.environ.get("NEWSROOM_IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
)
NEWSROOM_IMPORT_MAX_UPLOADS = int(os.environ.get("NEWSROOM_IMPORT_MAX_UPLOADS", "100"))
NEWSROOM_IMPORT_MAX_FILES = int(os.environ.get("NEWSROOM_IMPORT_MAX_FILES", "300"))
NEWSROOM_IMPORT_BATCH_DIR = os.environ.get("NEWSROOM_IMPORT_BATCH_DIR") or None
# Image localization (articles/images/): limits for every download and every upload.
NEWSROOM_IMAGE_MAX_BYTES = int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
NEWSROOM_IMAGE_MAX_PIXELS = int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", "25000000"))
NEWSROOM_IMAGE_CONNECT_TIMEOUT = float(os.environ.get("NEWSROOM_IMAGE_CONNECT_TIMEOUT", "5"))
NEWSROOM_IMAGE_TIMEOUT = float(os.environ.get("NEWSROOM_IMAGE_TIMEOUT", "30"))
NEWSROOM_IMAGE_MAX_REDIRECTS = int(os.environ.get("NEWSROOM_IMAGE_MAX_REDIRECTS", "3"))
NEWSROOM_IMAGE_WIDTHS = sorted({int(w) for w in env_list("NEWSROOM_IMAGE_WIDTHS", "480,960,1440")})
if not NEWSROOM_IMAGE_WIDTHS or NEWSROOM_IMAGE_WIDTHS[0] < 16:
    raise ImproperlyConfigured("NEWSROOM_IMAGE_WIDTHS must list widths of 16 px or more")
NEWSROOM_IMAGE_QUALITY = int(os.environ.get("NEWSROOM_IMAGE_QUALITY", "80"))
# Rights (articles/models/public.py, articles/editorial.py).
NEWSROOM_REQUIRE_LICENCE = os.environ.get("NEWSROOM_REQUIRE_LICENCE", "0") == "1"
NEWSROOM_DEFAULT_EDITOR = os.environ.get("NEWSROOM_DEFAULT_EDITOR", "")
# Where every server process reads the content version: the shared cache when Redis is
# configured, else the database (a process's local memory is never shared).
NEWSROOM_CONTENT_VERSION_STORE = os.environ.get(
    "NEWSROOM_CONTENT_VERSION_STORE", "cache" if REDIS_URL else "db"
)
if NEWSROOM_CONTENT_VERSION_STORE not in ("cache", "db"):
    raise ImproperlyConfigured("NEWSROOM_CONTENT_VERSION_STORE must be 'cache' or 'db'")
# A dotted path to a callable taking a list of absolute URLs: called after each editorial
# change commits, to purge a CDN in front of the site.
NEWSROOM_PURGE_HOOK = os.environ.get("NEWSROOM_PURGE_HOOK", "")
# Crawlers that train AI models: robots.txt keeps them off articles whose licence forbids it.
NEWSROOM_AI_CRAWLERS = env_list(
    "NEWSROOM_AI_CRAWLERS",
    "GPTBot,ClaudeBot,anthropic-ai,CCBot,Google-Extended,Applebot-Extended,Bytespider,"
    "meta-externalagent,PerplexityBot,cohere-ai",
)
