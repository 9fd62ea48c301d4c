"""Publication dates in every shape import files use; naive ones are read in Asia/Shanghai."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from articles.ingest.dates import parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
EIGHT = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "expected_utc"),
    [
        # RFC 2822, as the corpus's generator wrote them.
        ("Mon, 28 Mar 2022 02:42:50 GMT", datetime(2022, 3, 28, 2, 42, 50)),
        ("Wed, 30 Jun 2021 10:29:22 GMT", datetime(2021, 6, 30, 10, 29, 22)),
        ("  Mon, 28 Mar 2022 02:42:50 GMT \n", datetime(2022, 3, 28, 2, 42, 50)),
        ("Mon, 28 Mar 2022 10:42:50 +0800", datetime(2022, 3, 28, 2, 42, 50)),
        ("28 Mar 2022 02:42:50 UT", datetime(2022, 3, 28, 2, 42, 50)),
        # ISO 8601 with an offset or Z.
        ("2022-03-28T10:42:50+08:00", datetime(2022, 3, 28, 2, 42, 50)),
        ("2022-03-28T02:42:50Z", datetime(2022, 3, 28, 2, 42, 50)),
        ("2022-03-28T02:42:50.5Z", datetime(2022, 3, 28, 2, 42, 50, 500000)),
        ("2022-03-27T21:42:50-05:00", datetime(2022, 3, 28, 2, 42, 50)),
        # Without a zone: the site's zone, Asia/Shanghai (UTC+8).
        ("2022-03-28 10:42:50", datetime(2022, 3, 28, 2, 42, 50)),
        ("2022-03-28T10:42:50", datetime(2022, 3, 28, 2, 42, 50)),
        ("2022-03-28 10:42", datetime(2022, 3, 28, 2, 42)),
        ("2022-03-28 10:42:50.250", datetime(2022, 3, 28, 2, 42, 50, 250000)),
        ("2022-3-5 9:05", datetime(2022, 3, 5, 1, 5)),
        ("2022-03-28", datetime(2022, 3, 27, 16, 0)),
        ("Mon, 28 Mar 2022 10:42:50 -0000", datetime(2022, 3, 28, 2, 42, 50)),
    ],
)
def test_parse_date_reads_text(value, expected_utc):
    parsed = parse_date(value, SHANGHAI)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.astimezone(UTC).replace(tzinfo=None) == expected_utc


def test_parse_date_keeps_the_site_zone_for_naive_text():
    parsed = parse_date("2022-03-28 10:42:50", SHANGHAI)
    assert parsed == datetime(2022, 3, 28, 10, 42, 50, tzinfo=SHANGHAI)
    assert parsed.utcoffset() == timedelta(hours=8)


def test_parse_date_uses_the_zone_it_is_given():
    parsed = parse_date("2022-03-28 10:42:50", UTC)
    assert parsed == datetime(2022, 3, 28, 10, 42, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            datetime(2022, 3, 28, 10, 42, 50),
            datetime(2022, 3, 28, 10, 42, 50, tzinfo=SHANGHAI),
            id="yaml-naive-datetime",
        ),
        pytest.param(
            datetime(2022, 3, 28, 10, 42, 50, tzinfo=EIGHT),
            datetime(2022, 3, 28, 2, 42, 50, tzinfo=UTC),
            id="yaml-aware-datetime",
        ),
        pytest.param(date(2022, 3, 28), datetime(2022, 3, 28, tzinfo=SHANGHAI), id="yaml-date"),
    ],
)
def test_parse_date_accepts_values_yaml_already_parsed(value, expected):
    parsed = parse_date(value, SHANGHAI)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [
        "Invalid Date",
        "",
        "   ",
        "garbage",
        "now",
        "12345",
        "1 2 3 4 5",
        "Mar 28 2022",
        "2022年3月28日",
        "2022-13-01",
        "2022-02-30 10:00:00",
        "2022-03-28 25:00:00",
        "Tue, 30 Feb 2021 10:00:00 GMT",
        "0001-01-01 00:00:00",
        "9999-12-31T23:59:59-12:00",
        "1899-12-31",
        None,
        20220328,
        True,
        ["2022-03-28"],
        {"date": "2022-03-28"},
        datetime(1, 1, 1),
    ],
)
def test_parse_date_returns_none_for_what_it_cannot_read(value):
    assert parse_date(value, SHANGHAI) is None
