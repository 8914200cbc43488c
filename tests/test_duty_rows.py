"""The duty ranking's rows tag (members/templatetags/duty_rows.py) writes what the template loop it replaced
wrote, byte for byte, for every kind of row: below the line or not, a grade or the note why none, group scores
with gaps, decimals, hostile names."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import override_settings

LOOP = Template(
    "{% load stats_tags %}{% for r in page %}"
    '<tr data-testid="ranking-row"{% if r.below_line %} class="table-warning"{% endif %}>'
    "<td>{{ r.rank }}</td>"
    "<td><a href=\"{% url 'members:duty_archive' r.member_id %}?year={{ year }}\">{{ r.name }}</a></td>"
    "<td>{{ r.sector }}</td><td>{{ r.party }}</td>"
    '<td class="text-end fw-semibold">{{ r.total }}</td>'
    '<td>{% if r.grade %}{{ r.grade }}{% else %}<span class="text-body-secondary">{{ r.grade_note }}</span>{% endif %}</td>'
    '{% cells_with_class r.group_cells "text-end d-none d-lg-table-cell" %}'
    '<td>{% if r.three_ones_met %}<span class="text-success">已完成</span>{% else %}<span class="text-danger">未完成</span>{% endif %}</td>'
    '<td class="text-nowrap">{{ r.contact_quarters }}季 / {{ r.contact_people }}人</td>'
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
TAG = Template("{% load duty_rows %}{% ranking_rows page year %}")
HOSTILE = '<script>alert("x")</script>&\'"'


def _row(i, **extra):
    row = dict(
        rank=i,
        member_id=1000 + i,
        name=f"委员{i}{HOSTILE}",
        sector=f"界别{HOSTILE}",
        party="中国民主同盟",
        total=Decimal("1234.50") if i % 2 else 87,
        grade="优秀" if i % 3 else "",
        grade_note=f"未满一年{HOSTILE}",
        group_cells=[Decimal("12.5"), None, 3, 0, None, Decimal("-1.25"), 7],
        three_ones_met=bool(i % 2),
        contact_quarters=i % 5,
        contact_people=i * 3,
        below_line=i > 4,
    )
    row.update(extra)
    return SimpleNamespace(**row)


@pytest.mark.parametrize("grouping", [False, True])
def test_ranking_rows_are_the_template_loop_byte_for_byte(grouping):
    rows = [_row(i) for i in range(1, 8)]
    with override_settings(USE_THOUSAND_SEPARATOR=grouping):
        expected = LOOP.render(Context({"page": rows, "year": 2026}))
        assert TAG.render(Context({"page": rows, "year": 2026})) == expected
    assert "<script>" not in expected and "&lt;script&gt;" in expected
    assert 'class="table-warning"' in expected and "未满一年" in expected and "?year=2026" in expected


def test_no_rows_write_nothing():
    assert TAG.render(Context({"page": [], "year": 2026})) == ""


class _Rows(list):
    def all(self):
        return self


PENDING_LOOP = Template(
    "{% for r in page %}"
    '<tr data-testid="pending-row">'
    '<td>{% if can_act %}<input type="checkbox" class="form-check-input" name="records" value="{{ r.pk }}" '
    "aria-label=\"选择 {{ r.member.name }} {{ r.date|date:'Y-m-d' }}\">{% endif %}</td>"
    "<td><a href=\"{% url 'members:duty_archive' r.member_id %}?year={{ r.date.year }}\">{{ r.member.name }}</a>"
    '<div class="text-body-secondary">{{ r.member.sector.name|default:"" }}</div></td>'
    '<td class="text-nowrap">{{ r.date|date:"Y-m-d" }}</td>'
    "<td>{{ r.get_kind_display }}</td>"
    '<td>{{ r.people|default:"" }}</td>'
    "<td>{{ r.note|linebreaksbr }}</td>"
    "<td>{% for photo in r.photos.all %}<a href=\"{% url 'members:duty_photo' photo.pk %}\" "
    'class="me-1">照片{{ forloop.counter }}</a>{% endfor %}</td>'
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
PENDING_TAG = Template("{% load duty_rows %}{% pending_rows page can_act %}")


@pytest.mark.parametrize("can_act", [True, False])
def test_pending_rows_are_the_template_loop_byte_for_byte(can_act):
    from datetime import date

    def record(i, sector, people, photos):
        return SimpleNamespace(
            pk=i,
            member_id=500 + i,
            member=SimpleNamespace(name=f"委员{HOSTILE}", sector=sector),
            date=date(2026, 2, i),
            get_kind_display=lambda: f"调研{HOSTILE}",
            people=people,
            note=f"第一行{HOSTILE}\n第二行\r\n第三行",
            photos=_Rows(SimpleNamespace(pk=900 + n) for n in range(photos)),
        )

    rows = [
        record(1, SimpleNamespace(name=f"界别{HOSTILE}"), 12, 2),
        record(2, None, 0, 0),
        record(3, SimpleNamespace(name=""), None, 1),
    ]
    context = {"page": rows, "can_act": can_act}
    expected = PENDING_LOOP.render(Context(context))
    assert PENDING_TAG.render(Context(context)) == expected
    assert "<script>" not in expected and "照片2" in expected and "<br>" in expected
    assert ('name="records"' in expected) == can_act
