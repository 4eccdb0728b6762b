"""Stored times shown as local times in compare and progress (``render.trends.local_time``)."""


import pytest

from mockview.render.trends import local_time


@pytest.fixture
def berlin(local_zone):
    """Local time is Berlin's: an hour ahead of UTC in January, two in July."""
    local_zone("Europe/Berlin")


def test_a_stored_time_is_shown_in_local_time(berlin):
    assert local_time("2026-01-05T23:30:00Z") == "2026-01-06 00:30"
    assert local_time("2026-07-05T10:00:59Z") == "2026-07-05 12:00"


@pytest.mark.parametrize("text", ["2026-01-05", "2026-01-05T10:00:00", "2026-13-05T10:00:00Z",
                                  "2026-01-05T10:00:00.5Z", "2026-01-05T10:00:00+00:00",
                                  "2026-01-05 10:00:00Z", "", "yesterday"])
def test_anything_else_is_shown_as_it_is(berlin, text):
    assert local_time(text) == text
