"""Publication dates in the shapes import files use."""

import re
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime

# Hexo writes unpadded fields too ("2022-3-5 9:05"), which fromisoformat refuses.
_NAIVE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
# Outside these years a date is a typo or a placeholder; years near 1 or 9999 would not even
# survive conversion to UTC for storage.
MIN_YEAR, MAX_YEAR = 1900, 2999


def _naive(match: re.Match, tz: tzinfo) -> datetime | None:
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:
        return None


def _parse_text(text: str, tz: tzinfo) -> datetime | None:
    if match := _NAIVE.fullmatch(text):
        return _naive(match, tz)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(value: object, tz: tzinfo) -> datetime | None:
    """Return an aware datetime for ``value``, or None when it is not a date we understand.

    Accepts RFC 2822 (``Mon, 28 Mar 2022 02:42:50 GMT``), ISO 8601 with an offset or ``Z``,
    and ``YYYY-MM-DD[ HH:MM[:SS]]`` without one, which is read in ``tz`` (the site's zone).
    YAML may already have turned the value into a ``datetime`` or ``date``. Years outside
    MIN_YEAR..MAX_YEAR give None.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(), tzinfo=tz)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_text(value.strip(), tz)
    else:
        return None
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    if parsed.tzinfo is None:
        # Naive YAML timestamps, and RFC 2822's "-0000" ("zone unknown"): the site's zone.
        parsed = parsed.replace(tzinfo=tz)
    return parsed
