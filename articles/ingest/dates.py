"""Publication dates in the shapes import files use."""

import re
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

_NAIVE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date(value: object, tz: tzinfo) -> datetime | None:
    """Return an aware datetime for ``value``, or None when it is not a date we understand.

    Accepts RFC 2822 (``Mon, 28 Mar 2022 02:42:50 GMT``), ISO 8601 with an offset, and
    ``YYYY-MM-DD[ HH:MM[:SS]]`` without one, which is read in ``tz`` (the site's zone). YAML
    may already have turned the value into a ``datetime`` or ``date``.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _NAIVE.match(text):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=tz)
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        # RFC 2822's "-0000" means "zone unknown"; the site's zone is the better guess.
        parsed = parsed.replace(tzinfo=tz)
    return parsed
