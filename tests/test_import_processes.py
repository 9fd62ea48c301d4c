"""The importer across real processes: killed mid-batch, and two importers racing."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _variants(source: Path, target: Path, count: int) -> None:
    """Write ``count`` distinct import files made from the files in ``source``."""
    files = sorted(source.glob("*.md"))
    target.mkdir()
    for i in range(count):
        text = files[i % len(files)].read_text(encoding="utf-8")
        text = text.replace("title: '", f"title: '{i:04d} ", 1)
        (target / f"{i:04d}.md").write_text(text, encoding="utf-8")


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"
    raise AssertionError("only for a server database")


def _manage(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _summary(out: str) -> dict[str, int]:
    """The import command's closing table as {status: count}."""
    rows = (line.split() for line in out.splitlines())
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


def _sqlite_env(tmp_path: Path) -> dict:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    migrate = _manage("migrate", "--noinput", env=env)
    assert migrate.wait(timeout=120) == 0, migrate.stderr.read()
    return env


def _count_consistency(env: dict) -> tuple[int, int]:
    """Run a check in a child process: (articles, articles missing their attribution)."""
    code = (
        "import django; django.setup();"
        "from articles.models import Article;"
        "print(Article.objects.count(), Article.objects.filter(attribution=None).count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_import_killed_mid_batch_leaves_whole_files_and_rerun_completes(data_dir, tmp_path):
    env = _sqlite_env(tmp_path)
    batch = tmp_path / "batch"
    _variants(data_dir, batch, 120)

    first = _manage("import_articles", str(batch), "-v", "2", env=env)
    seen = 0
    while seen < 15:  # wait until the import is well under way, then kill it outright
        line = first.stdout.readline()
        assert line, first.stderr.read()
        seen += line.startswith("created")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    articles, without_attribution = _count_consistency(env)
    assert 15 <= articles < 120
    assert without_attribution == 0  # no half-written article survived the kill

    second = _manage("import_articles", str(batch), env=env)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    summary = _summary(out)
    assert summary["unchanged"] == articles
    assert summary["created"] == 120 - articles
    assert summary["failed"] == 0
    assert _count_consistency(env) == (120, 0)


@pytest.mark.django_db(transaction=True)
def test_two_importers_racing_create_each_article_once(data_dir, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs a server database; CI runs this on PostgreSQL")
    env = {"DATABASE_URL": _database_url()}
    batch = tmp_path / "batch"
    _variants(data_dir, batch, 40)
    shutil.copytree(batch, tmp_path / "copy")  # same file names, read independently

    racers = [
        _manage("import_articles", str(batch), env=env),
        _manage("import_articles", str(tmp_path / "copy"), env=env),
    ]
    outputs = [racer.communicate(timeout=300) for racer in racers]

    summaries = [_summary(out) for out, _ in outputs]
    for racer, (_, err), summary in zip(racers, outputs, summaries, strict=True):
        assert racer.returncode == 0, err
        assert summary["failed"] == 0
    from articles.models import Article

    assert Article.objects.count() == 40
    assert Article.objects.filter(attribution=None).count() == 0
    assert sum(s["created"] for s in summaries) == 40
    assert sum(s["unchanged"] for s in summaries) == 40
