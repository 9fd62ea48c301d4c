"""What the Chromium tests share: Debian's browser, how it is launched, and the rule that a
missing browser fails in CI (``CI=true``) and skips elsewhere."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable(reason: str):
    """Fail in CI, skip elsewhere: a browser test never passes by not running."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def require_chromium() -> None:
    """Debian's Chromium at ``CHROMIUM`` (what the tests launch), else ``unavailable``."""
    if not Path(CHROMIUM).exists():
        unavailable(f"Debian's Chromium is missing at {CHROMIUM}")
