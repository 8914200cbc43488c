"""The 督办台's key-proposal and overdue rows (proposals/templatetags/handling_tags.py) write what the template
loops they replaced wrote, byte for byte: units with cancelled ones among them, none at all, no leader,
hostile names."""

from datetime import date
from types import SimpleNamespace

from django.template import Context, Template

KEY_LOOP = Template(
    "{% for p in rows %}<tr>"
    '<td class="text-nowrap">{{ p.number }}</td>'
    '<td><a href="/workbench/proposals/{{ p.pk }}/">{{ p.title }}</a></td>'
    '<td>{{ p.key_leader.display_name|default:"—" }}</td>'
    '<td>{% for a in p.assignments.all %}{% if a.state != "cancelled" %}{{ a.department.name }}（{{ a.get_role_display }}）'
    "{% if not forloop.last %}、{% endif %}{% endif %}{% empty %}未交办{% endfor %}</td>"
    "<td>{{ p.get_state_display }}</td>"
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
KEY_TAG = Template("{% load handling_tags %}{% board_key_rows rows %}")
OVERDUE_LOOP = Template(
    "{% for row in rows %}{% with a=row.task %}<tr>"
    '<td><a href="/workbench/proposals/{{ a.proposal_id }}/">{{ a.proposal.number }} {{ a.proposal.title }}</a></td>'
    "<td>{{ a.department.name }}（{{ a.get_role_display }}）</td>"
    '<td class="text-nowrap">{{ a.due_date|date:"Y-m-d" }}</td>'
    '<td><span class="badge text-bg-danger">逾期 {{ row.days_overdue }} 天</span></td>'
    "</tr>{% endwith %}{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
OVERDUE_TAG = Template("{% load handling_tags %}{% board_overdue_rows rows %}")
HOSTILE = '<script>alert("x")</script>&\'"'


class Rows(list):
    def all(self):
        return self


def _task(i, state="accepted", role="主办"):
    return SimpleNamespace(
        state=state,
        department=SimpleNamespace(name=f"市{i}局{HOSTILE}"),
        get_role_display=lambda: role,
        proposal_id=100 + i,
        proposal=SimpleNamespace(number=f"第{i:04}号", title=f"提案{i}{HOSTILE}"),
        due_date=date(2026, 3, i + 1),
    )


def _proposal(i, tasks, leader=None):
    return SimpleNamespace(
        pk=i,
        number=f"第{i:04}号" if i % 2 else "",
        title=f"重点{i}{HOSTILE}",
        key_leader=leader,
        assignments=Rows(tasks),
        get_state_display=lambda: "办理中",
    )


def test_key_rows_are_the_template_loop_byte_for_byte():
    leader = SimpleNamespace(display_name=f"刘主席{HOSTILE}")
    rows = [
        _proposal(1, [_task(1), _task(2, "cancelled", "会办"), _task(3, role="会办")], leader),
        _proposal(2, [_task(1), _task(2, "cancelled")]),  # the last one cancelled: a trailing 、 as before
        _proposal(3, []),  # 未交办
        _proposal(4, [_task(4, "cancelled")]),  # only a cancelled one: nothing
        _proposal(5, [_task(5)], SimpleNamespace(display_name="")),
    ]
    expected = KEY_LOOP.render(Context({"rows": rows}))
    assert KEY_TAG.render(Context({"rows": rows})) == expected
    assert "<script>" not in expected and "未交办" in expected and "—" in expected


def test_overdue_rows_are_the_template_loop_byte_for_byte():
    rows = [{"task": _task(i), "days_overdue": d} for i, d in ((1, 3), (2, 1200), (3, 0))]
    rows[2]["task"].due_date = None
    expected = OVERDUE_LOOP.render(Context({"rows": rows}))
    assert OVERDUE_TAG.render(Context({"rows": rows})) == expected
    assert "<script>" not in expected and "2026-03-02" in expected and "逾期 1200 天" in expected


def test_no_rows_write_nothing():
    assert KEY_TAG.render(Context({"rows": []})) == OVERDUE_TAG.render(Context({"rows": []})) == ""
