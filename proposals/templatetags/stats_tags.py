"""Statistics tables: a row's cells rendered in Python (zhengxie.cells), byte for byte what the template loops
they replaced wrote. A dashboard table of 150 departments × 14 figures is 2,000 cells; through
`{% for cell in row %}{{ cell }}` each paid a loop iteration and a localize() call, about 40 ms a page.
"""

from django import template
from django.utils.safestring import mark_safe

from zhengxie.cells import cell, number_formatter
from zhengxie.cells import cells_with_class as _cells_with_class

register = template.Library()


@register.filter
def table_cells(row) -> str:
    """`<td>…</td>` for each cell of the row, as `{% for cell in row %}<td>{{ cell }}</td>{% endfor %}` gives."""
    number_format = number_formatter()
    return mark_safe("".join(f"<td>{cell(value, number_format)}</td>" for value in row))


@register.simple_tag
def cells_with_class(row, css_class: str) -> str:
    """`<td class="css_class">…</td>` for each cell of the row, empty for None, as
    `{% for v in row %}<td class="…">{% if v is not None %}{{ v }}{% endif %}</td>{% endfor %}` gives (the
    duty ranking's group scores: 7 a row, 50 rows a page)."""
    return mark_safe(_cells_with_class(row, css_class, number_formatter()))
