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
