"""What the Chromium tests share: Debian's browser, how it is launched, and the rule that a
missing browser fails in CI (``CI=true``) and skips elsewhere."""

import os

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
