"""How the pages format for machines: a `<time datetime>` in the site's zone, to the second."""

import datetime

from figures.templatetags.figures import machine_time

UTC = datetime.UTC


def test_a_moment_is_written_in_zhengzhous_time_without_its_microseconds():
    moment = datetime.datetime(2021, 6, 30, 16, 37, 30, 215515, tzinfo=UTC)

    assert machine_time(moment) == "2021-07-01T00:37:30+08:00"


def test_a_day_is_written_as_a_day_and_nothing_as_nothing():
    assert machine_time(datetime.date(2021, 3, 1)) == "2021-03-01"
    assert machine_time(None) == ""
    assert machine_time("") == ""  # a missing variable, as a template passes it
