"""Statistics tables: a row's cells rendered in Python.

A dashboard table of 150 departments × 14 figures is 2,000 cells; through `{% for cell in row %}{{ cell }}`
each pays a loop iteration and a localize() call, about 40 ms a page. The output is the same markup, byte for
byte: every cell goes through the same localize() and escaping as a template variable would; integers take
localize()'s own fast path (their str()) when no thousand separator is configured, and other numbers go through
number_format()'s own numberformat.format() with the separators looked up once per row instead of per cell.
"""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import numberformat
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def _number_format():
    """django.utils.formats.number_format(value) for this row: its three formats read once."""
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def number_format(value) -> str:
        return numberformat.format(value, decimal_sep, None, grouping, thousand_sep, use_l10n=True)

    return number_format


def _cell(value, number_format) -> str:
    kind = type(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    if kind is Decimal or kind is float or kind is int:  # not bool, which localize() shows as True/False
        return conditional_escape(number_format(value))
    return conditional_escape(localize(value))


@register.filter
def table_cells(row) -> str:
    """`<td>…</td>` for each cell of the row, as `{% for cell in row %}<td>{{ cell }}</td>{% endfor %}` gives."""
    number_format = _number_format()
    return mark_safe("".join(f"<td>{_cell(value, number_format)}</td>" for value in row))


@register.simple_tag
def cells_with_class(row, css_class: str) -> str:
    """`<td class="css_class">…</td>` for each cell of the row, empty for None, as
    `{% for v in row %}<td class="…">{% if v is not None %}{{ v }}{% endif %}</td>{% endfor %}` gives (the
    duty ranking's group scores: 7 a row, 50 rows a page)."""
    number_format = _number_format()
    opening = f'<td class="{conditional_escape(css_class)}">'
    return mark_safe(
        "".join(f"{opening}{'' if value is None else _cell(value, number_format)}</td>" for value in row)
    )
