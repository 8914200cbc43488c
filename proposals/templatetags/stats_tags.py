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


@register.simple_tag
def assessment_rows(rows, item_count: int) -> str:
    """承办单位考核's rows (a province's 150 units): rank, unit, assigned, replied, late and overdue together,
    then the item scores, total and grade — or, for a unit with no due work, "不评分、不排名" across them."""
    fmt = number_formatter()
    out = []
    for row, scores in rows:
        counts = row.counts
        head = (
            '<tr data-testid="assessment-row">'
            f"<td>{cell(row.rank, fmt) if row.scored else '—'}</td><td>{cell(row.name, fmt)}</td>"
            f"<td>{cell(counts['assigned'], fmt)}</td><td>{cell(counts['replied'], fmt)}</td>"
            f"<td>{cell(counts['late'] + counts['overdue'], fmt)}</td>"
        )
        if row.scored:
            tail = (
                "".join(f"<td>{cell(value, fmt)}</td>" for value in scores)
                + f'<td class="fw-semibold">{cell(row.total, fmt)}</td><td>{cell(row.grade, fmt)}</td>'
            )
        else:
            tail = (
                f'<td colspan="{item_count + 1}" class="text-body-secondary">不评分、不排名</td>'
                f'<td class="text-body-secondary">{cell(row.grade, fmt)}</td>'
            )
        out.append(f"{head}{tail}</tr>")
    return mark_safe("\n".join(out))
