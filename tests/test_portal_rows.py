"""The department portal's task rows (zhengxie/workflow/templatetags/portal_rows.py): each column, each role's
and urgency's colour, the 期限待定 note, search marks, and every stored text escaped."""

import html
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from proposals import search
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.workflow.portal import PortalRow
from zhengxie.workflow.templatetags.portal_rows import portal_task_rows

HOSTILE = '<script>alert("x")</script>&\'"'
TODAY = timezone.localdate


def _task(department, staff_user, term, *, title, number="", days=30, state="pending", role="lead", **extra):
    content = extra.pop("content", "正文。")
    proposal = Proposal.objects.create(
        title=title,
        content=content,
        **search.index_fields(title, content),
        category=ProposalCategory.objects.get(name="经济"),
        created_by=staff_user,
        term=term,
        state=Proposal.State.ASSIGNED,
        number=number,
    )
    return Assignment.objects.create(
        proposal=proposal,
        department=department,
        role=role,
        state=state,
        assigned_at=timezone.now(),
        assigned_by=staff_user,
        due_basis=TODAY(),
        due_span="3m",
        due_date=TODAY() + timedelta(days=days),
        **extra,
    )


def _row(body, task) -> str:
    href = f'href="/portal/assignments/{task.pk}/"'
    head, tail = body.split(href, 1)
    return head.rsplit("<a ", 1)[1] + href + tail.split("</a>", 1)[0]


@pytest.mark.django_db
def test_portal_rows_show_each_column_and_escape_every_text(client, department_user, staff_user, term):
    department = department_user.department
    lead = _task(
        department,
        staff_user,
        term,
        title=f"关于养老服务的建议{HOSTILE}",
        number=f"第{HOSTILE}号",
        content="建议发展社区养老。",
    )
    co = _task(
        department,
        staff_user,
        term,
        title="会办的",
        days=3,
        state="accepted",
        role="co",
        due_provisional=True,
    )
    late = _task(department, staff_user, term, title="分办的", days=-5, role="separate")
    done = _task(department, staff_user, term, title="答复了的", days=-20, state="replied")

    client.force_login(department_user)
    body = client.get("/portal/", {"status": "all"}).content.decode()
    assert "<script>" not in body
    due = (TODAY() + timedelta(days=30)).isoformat()
    assert _row(body, lead) == (
        'class="list-group-item list-group-item-action d-md-flex row g-0 align-items-center" '
        f'href="/portal/assignments/{lead.pk}/" data-testid="task-row" data-urgency="normal">\n'
        '<div class="col-md-2 small"><span class="badge text-bg-secondary me-1">提案</span>'
        f"{html.escape(f'第{HOSTILE}号')}</div>\n"
        f'<div class="col-md-4 fw-semibold my-1 my-md-0">{html.escape(f"关于养老服务的建议{HOSTILE}")}</div>\n'
        '<div class="col-md-1"><span class="badge text-bg-primary">主办</span></div>\n'
        '<div class="col-md-1 small">待签收</div>\n'
        '<div class="col-md-2 small"><span class="d-md-none text-body-secondary">期限：</span>'
        f"{due}</div>\n"
        '<div class="col-md-2 small" data-testid="days-left">剩余30天</div>\n'
    )
    row = _row(body, co)
    assert 'data-urgency="soon"' in row and '<span class="badge text-bg-info">会办</span>' in row
    assert (
        f'{(TODAY() + timedelta(days=3)).isoformat()} <span class="badge text-bg-warning">期限待定</span> '
        '<span class="small text-body-secondary" data-testid="due-provisional-note">按周一至周五暂算，'
        f"国务院公布{(TODAY() + timedelta(days=3)).year}年节假日安排后自动更新</span></div>"
    ) in row
    assert '<div class="col-md-2 small zx-due-soon" data-testid="days-left">剩余3天</div>' in row
    row = _row(body, late)
    assert 'data-urgency="overdue"' in row and '<span class="badge text-bg-dark">分办</span>' in row
    assert '<span class="badge text-bg-secondary me-1">提案</span>—</div>' in row  # no number yet
    assert '<div class="col-md-2 small zx-due-overdue" data-testid="days-left">已超期5天</div>' in row
    row = _row(body, done)
    assert 'data-urgency="done"' in row
    assert '<div class="col-md-2 small text-body-secondary" data-testid="days-left">已答复</div>' in row

    # A search marks its words in the title and shows where the text matched.
    body = client.get("/portal/", {"q": "养老"}).content.decode()
    row = _row(body, lead)
    assert "<script>" not in body
    assert f'关于<mark class="search-hit">养老</mark>服务的建议{html.escape(HOSTILE)}<div ' in row
    assert re.search(r'data-testid="search-snippet">[^<]*<mark class="search-hit">养老</mark>', row)


def test_every_text_of_a_row_is_escaped():
    """Every field a row shows, hostile (the labels and the URL come from code today; they are escaped too)."""
    row = PortalRow(
        kind_label=f"类{HOSTILE}",
        title=f"题{HOSTILE}",
        number=f"号{HOSTILE}",
        role_label=f"角{HOSTILE}",
        state_label=f"态{HOSTILE}",
        due_date=date(2031, 5, 6),
        due_provisional=False,
        is_open=False,
        days_left=0,
        url=f"/x/?a=1&b={HOSTILE}",
        snippet=f"摘{HOSTILE}",
    )
    out = str(portal_task_rows([row], q=""))
    assert "<script>" not in out and HOSTILE not in out
    for text in (f"类{HOSTILE}", f"题{HOSTILE}", f"号{HOSTILE}", f"角{HOSTILE}", f"摘{HOSTILE}"):
        assert html.escape(text) in out
    assert out.count(html.escape(f"态{HOSTILE}")) == 2  # the state, and the days-left column of a closed task
    assert f'href="{html.escape(f"/x/?a=1&b={HOSTILE}")}"' in out
    assert '<span class="badge text-bg-dark">' in out and "2031-05-06</div>" in out
