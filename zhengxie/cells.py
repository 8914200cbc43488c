"""Table cells and list rows written in Python exactly as the template wrote them (localize(), then escaping).

A cell through `{{ value }}` pays a variable lookup, localize() and its format lookups; tables of thousands of
cells (statistics, the duty ranking) write them here instead. Integers take localize()'s own fast path (their
str()) when no thousand separator is configured; other numbers go through number_format()'s own
numberformat.format() with the separators looked up once per table or row instead of per cell.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from zhengxie import date_text

_PK = 2_147_483_647  # a placeholder id: a list's link is reversed once, not once a row


def number_formatter():
    """django.utils.formats.number_format(value) for the current language: its three formats read once."""
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def number_format(value) -> str:
        return numberformat.format(value, decimal_sep, None, grouping, thousand_sep, use_l10n=True)

    return number_format


def cell(value, number_format) -> str:
    """`{{ value }}`: localized and escaped (safe text as it is)."""
    kind = type(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if kind is Decimal or kind is float or kind is int:  # not bool, which localize() shows as True/False
        return conditional_escape(number_format(value))
    return conditional_escape(localize(value))


def cells_with_class(row, css_class: str, number_format) -> str:
    """`<td class="css_class">…</td>` for each value, empty for None, as
    `{% for v in row %}<td class="…">{% if v is not None %}{{ v }}{% endif %}</td>{% endfor %}` gives."""
    opening = f'<td class="{conditional_escape(css_class)}">'
    return "".join(f"{opening}{'' if value is None else cell(value, number_format)}</td>" for value in row)


def value(v) -> str:
    """`{{ v }}`: localize(), then conditional_escape(); a count is its str(), as localize() makes it when no
    thousand separator is configured (its own fast path, without looking up three formats a number); a
    date or time in the language's DATE_FORMAT / DATETIME_FORMAT through zhengxie.date_text."""
    kind = type(v)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(v)
    if kind is datetime.datetime or kind is datetime.date:
        fmt = get_format("DATETIME_FORMAT" if kind is datetime.datetime else "DATE_FORMAT")
        text = date_text.format_value(v, fmt)
        if text is not None:
            return conditional_escape(text)
    return conditional_escape(localize(v))


def date(v, fmt: str) -> str:
    """`{{ v|date:fmt }}` (local time, as the filter shows it)."""
    return conditional_escape(date_text.date_filter(template_localtime(v), fmt))


def url_by_pk(name: str) -> Callable[[int], str]:
    """pk → `{% url name pk %}`, reversed once."""
    head, tail = reverse(name, args=[_PK]).split(str(_PK))
    return lambda pk: f"{head}{pk}{tail}"


def due_provisional(due, provisional) -> str:
    """After a due date: 期限待定 and what it means, when the date was computed past the work calendar's data
    (weekdays only, until the State Council publishes that year's holidays); else nothing."""
    if not provisional:
        return ""
    return (
        ' <span class="badge text-bg-warning">期限待定</span> '
        '<span class="small text-body-secondary" data-testid="due-provisional-note">'
        f"按周一至周五暂算，国务院公布{date(due, 'Y')}年节假日安排后自动更新</span>"
    )


def list_link(url: str, head: str, meta: str) -> str:
    """An item of a member's list: a link whose first line is `head` and whose small second line is `meta`."""
    return (
        f'<a class="list-group-item list-group-item-action" href="{url}">\n'
        f'{head}\n<div class="small text-body-secondary">{meta}</div>\n</a>'
    )


def title_and_badge(title: str, badge_class: str, badge: str) -> str:
    """A list item's first line: the title, and a badge at its end."""
    return (
        f'<div class="d-flex justify-content-between gap-2"><strong>{title}</strong>'
        f'<span class="badge {badge_class} align-self-start">{badge}</span></div>'
    )
