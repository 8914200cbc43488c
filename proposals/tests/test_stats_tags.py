"""The statistics tables' cell filter renders exactly what the template loop it replaced rendered."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.safestring import mark_safe

LOOP = Template("{% for cell in row %}<td>{{ cell }}</td>{% endfor %}")
FILTER = Template("{% load stats_tags %}{{ row|table_cells }}")

ROW = [
    0,
    7,
    -3,
    10**12,
    95.5,
    1e-7,
    1e20,
    Decimal("12.50"),
    Decimal("-1234567.891"),
    Decimal("0E-8"),
    float("nan"),
    True,
    False,
    None,
    "",
    "<b>&'\"",
    "=SUM(A1)\x00",
    mark_safe("<i>已</i>"),
    date(2026, 1, 2),
    datetime(2026, 1, 2, 3, 4),
    "工业和信息化局",
]


@pytest.mark.parametrize("grouping", [False, True])
def test_table_cells_is_the_template_loop_byte_for_byte(grouping):
    with override_settings(USE_THOUSAND_SEPARATOR=grouping):
        expected = LOOP.render(Context({"row": ROW}))
        assert FILTER.render(Context({"row": ROW})) == expected
    assert "&lt;b&gt;&amp;" in expected and "<i>已</i>" in expected  # escaped, and safe text kept as is


def test_an_empty_row_renders_nothing():
    assert FILTER.render(Context({"row": []})) == ""


CLASS_LOOP = Template(
    '{% for v in row %}<td class="a &quot;b">{% if v is not None %}{{ v }}{% endif %}</td>{% endfor %}'
)
CLASS_TAG = Template("{% load stats_tags %}{% cells_with_class row klass %}")


@pytest.mark.parametrize("grouping", [False, True])
def test_cells_with_class_is_the_template_loop_byte_for_byte(grouping):
    with override_settings(USE_THOUSAND_SEPARATOR=grouping):
        expected = CLASS_LOOP.render(Context({"row": ROW}))
        assert CLASS_TAG.render(Context({"row": ROW, "klass": 'a "b'})) == expected
    assert '<td class="a &quot;b"></td>' in expected  # None is an empty cell


ASSESSMENT_LOOP = Template(
    "{% load stats_tags %}{% for row, scores in rows %}"
    '<tr data-testid="assessment-row">'
    "<td>{% if row.scored %}{{ row.rank }}{% else %}—{% endif %}</td><td>{{ row.name }}</td>"
    "<td>{{ row.counts.assigned }}</td><td>{{ row.counts.replied }}</td>"
    "<td>{{ row.counts.late|add:row.counts.overdue }}</td>"
    "{% if row.scored %}{{ scores|table_cells }}"
    '<td class="fw-semibold">{{ row.total }}</td><td>{{ row.grade }}</td>'
    '{% else %}<td colspan="{{ items|length|add:1 }}" class="text-body-secondary">不评分、不排名</td>'
    '<td class="text-body-secondary">{{ row.grade }}</td>{% endif %}'
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
ASSESSMENT_TAG = Template("{% load stats_tags %}{% assessment_rows rows items|length %}")


@pytest.mark.parametrize("grouping", [False, True])
def test_assessment_rows_are_the_template_loop_byte_for_byte(grouping):
    from proposals.assessment import AssessmentRow

    hostile = '<script>alert("x")</script>&\'"'
    counts = {"assigned": 1200, "replied": 1100, "late": 3, "overdue": 4}
    scored = AssessmentRow(
        department=1, name=f"市局{hostile}", counts=counts, total=Decimal("95.50"), grade="优秀", rank=1
    )
    unscored = AssessmentRow(
        department=2, name="市某局", counts=counts, total=None, grade="无到期办理", rank=None
    )
    rows = [(scored, [Decimal("20"), None, Decimal("-2.5"), 15]), (unscored, [None, None, None, None])]
    context = {"rows": rows, "items": [1, 2, 3, 4]}
    with override_settings(USE_THOUSAND_SEPARATOR=grouping):
        expected = ASSESSMENT_LOOP.render(Context(context))
        assert ASSESSMENT_TAG.render(Context(context)) == expected
    assert "&lt;script&gt;" in expected and 'colspan="5"' in expected and "<td>7</td>" in expected
