"""zhengxie.date_text writes every date as Django's `date` filter and localize() do, and is the filter of
every template (the builtin zhengxie.date_filter); what it does not know goes to Django unchanged."""

import datetime
import itertools
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Engine, engines
from django.template.defaultfilters import date as django_date
from django.utils import translation
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

from zhengxie import cells, date_text
from zhengxie.date_filter import register

SHANGHAI = ZoneInfo("Asia/Shanghai")
VALUES = [
    datetime.datetime(2026, 1, 5, 3, 4, 5, tzinfo=SHANGHAI),
    datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),  # the next year in Shanghai
    datetime.datetime(2024, 2, 29, 0, 0, tzinfo=SHANGHAI),
    datetime.datetime(1900, 1, 1, 12, 30, tzinfo=datetime.UTC),  # Shanghai's local mean time: +08:05:43
    datetime.datetime(2100, 12, 31, 9, 5),  # naive
    datetime.datetime(987, 6, 7, 8, 9, 10),  # a year of three digits: Y pads it
    datetime.date(2026, 3, 8),
    datetime.date(2009, 10, 1),
]
PROJECT_DIRS = ["templates", "proposals", "members", "consultations", "sqyy", "activities", "deliberations"]


def project_formats() -> set[str]:
    """Every `|date:"…"` of the project's templates."""
    root = Path(settings.BASE_DIR)
    found = set()
    for folder in PROJECT_DIRS + ["zhengxie"]:
        for path in (root / folder).rglob("*.html"):
            found.update(re.findall(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8")))
    return found


def formats() -> list[str]:
    made = [
        "Y-m-d",
        "y",
        "Y年n月j日 H:i:s",
        "\\Y\\m Y",
        "{0} Y {m}",
        "%Y %%",
        "G时i分",
        "DATE_FORMAT",
        "N j, Y",
    ]
    made += [
        "".join(p)
        for p in itertools.product(["Y", "y", "n"], ["-", "年", " "], ["d", "j"], ["", " H:i", "G"])
    ]
    made += [
        "D",
        "l",
        "a",
        "P",
        "e",
        "O",
        "T",
        "U",
        "w",
        "z",
        "F",
        "M",
        "b",
        "c",
        "r",
        "u",
        "f",
        "A",
        "g",
        "h",
    ]
    return sorted(project_formats() | set(made))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_format_and_value_as_django_writes_it(language):
    assert {"Y-m-d", "Y-m-d H:i", "Y年n月j日"} <= project_formats()  # the scan finds the project's formats
    with translation.override(language):
        for value, fmt in itertools.product(VALUES, formats()):
            local = template_localtime(value)
            try:
                expected = django_date(local, fmt)
            except TypeError:  # Django refuses time characters for a date: so does this filter
                with pytest.raises(TypeError):
                    date_text.date_filter(local, fmt)
                continue
            assert date_text.date_filter(local, fmt) == expected, (value, fmt)
            assert cells.date(value, fmt) == expected, (value, fmt)


def test_the_fast_path_takes_the_project_formats_and_leaves_the_rest():
    value = datetime.datetime(2026, 5, 6, 7, 8, 9)
    for fmt in project_formats():
        assert date_text.format_value(value, fmt) is not None, fmt
    for fmt in ["D", "N j", "Y-m-d e", "U"]:
        assert date_text.format_value(value, fmt) is None, fmt
    assert date_text.format_value(datetime.date(2026, 5, 6), "H:i") is None  # Django raises; it answers
    assert date_text.format_value("2026-05-06", "Y") is None
    assert date_text.format_value(None, "Y") is None


def test_not_dates_as_the_filter_gives_them():
    for value in [None, "", "2026-05-06", 5, datetime.time(8, 30)]:
        for fmt in ["Y-m-d", "H:i", None]:
            assert date_text.date_filter(value, fmt) == django_date(value, fmt)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_cell_of_a_date_as_localize_writes_it(language):
    with translation.override(language):
        for value in VALUES + [datetime.time(8, 30), None, "<b>", 3, 2.5, True]:
            assert cells.value(value) == conditional_escape(localize(value)), value


def test_every_template_uses_this_filter_with_djangos_output():
    engine = engines["django"].engine
    assert engine.template_builtins[-1] is register  # loaded after Django's, so it wins
    source = '{{ v|date:"Y年n月j日 H:i" }}|{{ v|date }}|{{ v|date:"D" }}|{{ v|date:f }}'
    reference = Engine(builtins=[])  # Django's builtins only
    for value in VALUES[:6]:  # datetimes (a date with H:i raises in both)
        for f in ["Y-m-d", "<q>Y</q>"]:
            context = {"v": value, "f": f}
            mine = engine.from_string(source).render(Context(context))
            assert mine == reference.from_string(source).render(Context(context))
    assert "&lt;q&gt;2026" in engine.from_string("{{ v|date:f }}").render(
        Context({"v": VALUES[0], "f": "<q>Y</q>"})
    )
