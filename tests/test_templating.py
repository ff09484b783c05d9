"""The one time filter (``local_time``): every time in the configured display zone, whatever its source."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from marketplace.templating import local_time
from marketplace.timeutil import display_today


@pytest.fixture
def zone(app, ctx):
    before = app.config["DISPLAY_TIMEZONE"]
    yield app.config
    app.config["DISPLAY_TIMEZONE"] = before


def test_stored_utc_is_shown_in_beijing_time_by_default(zone):
    assert zone["DISPLAY_TIMEZONE"] == "Asia/Shanghai"
    assert local_time(datetime(2025, 1, 1, 2, 30)) == "2025-01-01 10:30"  # naive = UTC, as stored
    assert local_time(datetime(2025, 1, 1, 20, 0)) == "2025-01-02 04:00"


def test_aware_times_are_converted_not_shifted_again(zone):
    as_of = datetime(2025, 1, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # e.g. the statistics' "as of"
    assert local_time(as_of) == "2025-01-01 10:00"
    assert local_time(datetime(2025, 1, 1, 2, 0, tzinfo=timezone.utc)) == "2025-01-01 10:00"


def test_iso_stamps_written_by_the_application_are_times(zone):
    assert local_time("2025-01-01T00:00:00Z") == "2025-01-01 08:00"
    assert local_time("2025-01-01T00:00:00") == "2025-01-01 08:00"  # utcnow().isoformat()
    assert local_time("not a time") == "not a time" and local_time(None) == ""


def test_the_display_zone_is_configurable(zone):
    zone["DISPLAY_TIMEZONE"] = "Europe/London"
    assert local_time(datetime(2025, 7, 1, 12, 0)) == "2025-07-01 13:00"  # BST
    assert local_time(date(2025, 7, 1)) == "2025-07-01"
    zone["DISPLAY_TIMEZONE"] = "Asia/Shanghai"
    beijing_today = (datetime.now(timezone.utc) + timedelta(hours=8)).date()
    assert display_today() == beijing_today
