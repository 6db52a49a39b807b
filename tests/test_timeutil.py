from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from feedtool.timeutil import clock, npt, parse_date, parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("PT1H3M37S", 3817),
        ("PT45M", 2700),
        ("PT52M10S", 3130),
        ("PT00H58M42S", 3522),
        ("PT01H06M13S", 3973),
        ("pt1h", 3600),
        ("P1DT1S", 86401),
        ("1:02:03", 3723),
        ("62:03", 3723),
        ("37", 37),
        (90, 90),
        (12.5, 12.5),
        ("PT1.5S", 1.5),
    ],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["PT", "P", "1h", "abc", "", "-5", True, None, [1]])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_parse_date_forms():
    utc = UTC
    assert parse_date(date(2021, 5, 14)) == datetime(2021, 5, 14, tzinfo=utc)
    assert parse_date("2024-01-22") == datetime(2024, 1, 22, tzinfo=utc)
    assert parse_date("2024-01-22T10:30:00Z") == datetime(2024, 1, 22, 10, 30, tzinfo=utc)
    cet = timezone(timedelta(hours=1))
    assert parse_date("2024-01-22", cet).utcoffset() == timedelta(hours=1)
    with pytest.raises(ValueError, match="not a date"):
        parse_date("22/01/2024")


def test_npt_is_zero_padded_with_hours():
    assert npt(0) == "00:00:00.000"
    assert npt(37) == "00:00:37.000"
    assert npt(3723.25) == "01:02:03.250"


def test_clock():
    assert clock(0) == "0:00"
    assert clock(75) == "1:15"
    assert clock(3723) == "1:02:03"
