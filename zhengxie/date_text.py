"""Dates as `{{ value|date:fmt }}` writes them, with Django's own output at a tenth of the cost.

django.utils.dateformat builds a DateFormat for every value (time-zone lookups, an ambiguity check) and
looks each format character up with getattr: ~30 µs a date, ~4 ms of a 50-row list with three dates a
row. The formats this project shows (Y-m-d H:i, Y年n月j日, m-d H:i, the zh-hans DATE_FORMAT and
DATETIME_FORMAT…) use ten numeric characters; a format made only of those is split once, with Django's
own expressions, into one str.format template. Any other format, character or value type is Django's.

Used by zhengxie.cells and by the `date` filter of zhengxie.date_filter, a template builtin
(settings.TEMPLATES) that takes the place of Django's for every template.
"""

import datetime
from functools import lru_cache

from django.template.defaultfilters import date as django_date_filter
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.formats import get_format

# Each character as DateFormat writes it (django/utils/dateformat.py), as a str.format field of the value.
_DATE_FIELDS = {
    "Y": "{0.year:04d}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "d": "{0.day:02d}",
    "j": "{0.day}",
}
_TIME_FIELDS = {
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
_FIELDS = {**_DATE_FIELDS, **_TIME_FIELDS}


@lru_cache(maxsize=256)
def _compiled(fmt: str) -> tuple[str, bool, bool] | None:
    """(str.format template, has time characters, has year % 100) for a format of the characters above;
    None for any other format (Django's own then)."""
    template, has_time, short_year = [], False, False
    for i, piece in enumerate(re_formatchars.split(fmt)):
        if i % 2:
            if piece == "y":  # "%02d" % (year % 100): not a str.format field of the value itself
                template.append("{1:02d}")
                short_year = True
                continue
            field = _FIELDS.get(piece)
            if field is None:
                return None
            has_time = has_time or piece in _TIME_FIELDS
            template.append(field)
        elif piece:
            template.append(re_escaped.sub(r"\1", piece).replace("{", "{{").replace("}", "}}"))
    return "".join(template), has_time, short_year


def format_value(value, fmt: str) -> str | None:
    """django.utils.dateformat.format(value, fmt) for a date or datetime and a format compiled above, else
    None (the caller asks Django). A date with time characters is Django's too: it raises there."""
    kind = type(value)
    if kind is not datetime.datetime and kind is not datetime.date:
        return None
    compiled = _compiled(fmt)
    if compiled is None:
        return None
    template, has_time, short_year = compiled
    if has_time and kind is datetime.date:
        return None
    return template.format(value, value.year % 100) if short_year else template.format(value)


def date_filter(value, arg=None):
    """Django's `date` filter (django.template.defaultfilters.date) on a value already in local time."""
    text = format_value(value, get_format(arg or "DATE_FORMAT"))
    return django_date_filter(value, arg) if text is None else text
