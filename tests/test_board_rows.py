"""The 督办台's key-proposal and overdue rows (proposals/templatetags/handling_tags.py) write what the template
loops they replaced wrote, byte for byte: units with cancelled ones among them, none at all, no leader,
hostile names."""

from datetime import date
from types import SimpleNamespace

import pytest
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


# What proposals/handling/_requests.html was, before task_requests replaced it.
REQUESTS_INCLUDE = (
    "{% load option_tags %}"
    '{% if task.extension_state == "pending" %}<div class="small mb-1" data-testid="extension-request">'
    '申请延期至 <strong>{{ task.extension_due_date|date:"Y-m-d" }}</strong>：{{ task.extension_reason }}'
    '{% if is_staff %}<form method="post" action="{% url \'proposals_handling:extension\' task.pk %}" '
    'class="d-flex gap-1 mt-1">{% csrf_token %}<input type="hidden" name="next" value="{{ next }}">'
    '<button type="submit" name="decision" value="approve" class="btn btn-sm btn-success">同意延期</button>'
    '<button type="submit" name="decision" value="refuse" class="btn btn-sm btn-outline-danger">不同意</button>'
    "</form>{% endif %}</div>"
    '{% elif task.extension_state == "approved" %}<div class="small text-body-secondary">已同意延期</div>'
    '{% elif task.extension_state == "refused" %}<div class="small text-body-secondary">延期未获同意</div>'
    "{% endif %}"
    '{% if task.state == "adjustment_requested" %}<div class="small" data-testid="adjustment-request">'
    "申请调整：{{ task.adjustment_reason }}"
    '{% if is_staff %}<form method="post" action="{% url \'proposals_handling:adjustment\' task.pk %}" '
    'class="d-flex flex-wrap gap-1 mt-1">{% csrf_token %}<input type="hidden" name="next" value="{{ next }}">'
    '<label class="visually-hidden" for="adjust-dept-{{ task.pk }}">改由承办单位</label>'
    "{% if department_options_id %}"
    '<select class="form-select form-select-sm w-auto" name="department" id="adjust-dept-{{ task.pk }}" '
    'data-options-from="{{ department_options_id }}" data-options-skip="{{ task.department_id }}">'
    '<option value="">— 改由单位 —</option></select>'
    "{% else %}"
    '<select class="form-select form-select-sm w-auto" name="department" id="adjust-dept-{{ task.pk }}">'
    '<option value="">— 改由单位 —</option>{% options departments skip=task.department_id %}</select>'
    "{% endif %}"
    '<button type="submit" name="decision" value="approve" class="btn btn-sm btn-success">同意调整</button>'
    '<button type="submit" name="decision" value="refuse" class="btn btn-sm btn-outline-danger">不同意</button>'
    "</form>{% endif %}</div>{% endif %}"
    '{% if task.extension_state != "pending" and task.state != "adjustment_requested" and not task.extension_state %}'
    "—{% endif %}"
)
REQUESTS_TAG = "{% load handling_tags %}{% task_requests task next department_options_id %}"


def _request_task(pk, state, extension_state):
    return SimpleNamespace(
        pk=pk,
        state=state,
        extension_state=extension_state,
        extension_due_date=date(2026, 5, 1),
        extension_reason=f"延期理由{HOSTILE}",
        adjustment_reason=f"调整理由{HOSTILE}",
        department_id=2,
    )


@pytest.mark.parametrize("is_staff", [True, False])
@pytest.mark.parametrize("options_id", ["", "board-department-options"])
@pytest.mark.parametrize("extension_state", ["", "pending", "approved", "refused"])
@pytest.mark.parametrize("state", ["accepted", "adjustment_requested"])
def test_task_requests_are_the_include_it_replaced(state, extension_state, options_id, is_staff):
    units = [SimpleNamespace(pk=1, name=f"市一局{HOSTILE}"), SimpleNamespace(pk=2, name="市二局")]
    context = {
        "task": _request_task(7, state, extension_state),
        "next": "/workbench/handling/board/?department=1&a=<b>",
        "department_options_id": options_id,
        "is_staff": is_staff,
        "departments": units,
        "csrf_token": "tok<en>",
    }
    expected = Template(REQUESTS_INCLUDE).render(Context(context))
    assert Template(REQUESTS_TAG).render(Context(context)) == expected
    assert "<script>" not in expected and ("csrfmiddlewaretoken" in expected) == (
        is_staff and (extension_state == "pending" or state == "adjustment_requested")
    )


def test_board_request_items_are_the_loop_they_replaced():
    loop = Template(
        "{% load handling_tags %}{% for row in rows %}{% with a=row.task %}"
        '<li class="list-group-item"><a href="/workbench/proposals/{{ a.proposal_id }}/">{{ a.proposal.number }} '
        '{{ a.proposal.title }}</a><div class="small text-body-secondary">{{ a.department.name }}（'
        '{{ a.get_role_display }}）{% if with_due %}，现办理期限 {{ a.due_date|date:"Y-m-d" }}{% endif %}</div>'
        '{% task_requests a board_url "board-department-options" %}'
        "</li>{% endwith %}{% if not forloop.last %}\n{% endif %}{% endfor %}"
    )
    rows = []
    for i, (state, ext) in enumerate([("adjustment_requested", ""), ("accepted", "pending")], 1):
        task = _task(i)
        task.__dict__.update(vars(_request_task(i, state, ext)))
        rows.append({"task": task})
    for with_due in (False, True):
        context = {
            "rows": rows,
            "with_due": with_due,
            "is_staff": True,
            "board_url": "/b/",
            "csrf_token": "t",
        }
        expected = loop.render(Context(context))
        tag = Template("{% load handling_tags %}{% board_request_items rows with_due %}")
        assert tag.render(Context(context)) == expected
        assert ("现办理期限" in expected) == with_due and "<script>" not in expected
