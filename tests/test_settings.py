import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x7$k2!production-grade-secret-from-the-environment-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "NEWSROOM_SITE_URL": "https://news.example.com",
}


def _clean_environment() -> dict:
    """This process's environment without any setting of ours (CI sets DATABASE_URL etc.)."""
    ours = ("DJANGO_", "NEWSROOM_", "DATABASE_URL", "REDIS_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(ours)}


def _python(code: str, env: dict) -> str:
    base = _clean_environment()
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_settings_check_deploy_is_clean_in_production():
    env = _clean_environment()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_defaults_are_safe():
    out = _python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.TIME_ZONE, s.LANGUAGE_CODE, s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])",
        {},
    )
    assert out == "False True True 31536000 Asia/Shanghai zh-hans LocMemCache"


def test_settings_read_database_and_redis_urls():
    out = _python(
        "import django; django.setup(); from django.conf import settings as s;"
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'],"
        " s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])",
        {
            "DATABASE_URL": "postgres://news:pw@db.internal:5432/newsroom",
            "REDIS_URL": "redis://127.0.0.1:6379/2",
        },
    )
    assert out == "django.db.backends.postgresql newsroom db.internal RedisCache"
    sqlite = _python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['NAME'])",
        {"DATABASE_URL": "sqlite:////tmp/elsewhere.sqlite3"},
    )
    assert sqlite == "/tmp/elsewhere.sqlite3"


def test_settings_reject_a_malformed_boolean():
    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.settings"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "maybe"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr
