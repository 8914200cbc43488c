"""Staff handling pages: 交办, extension and adjustment decisions, 重点提案, 督办, 公开 and the supervision
board — through the views, with the wrong roles refused and constant query counts."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals import selectors, services
from proposals.models import Assignment, Proposal, ProposalCategory, Supervision
from tests.plans import index_plan
from zhengxie.accounts.models import Department, Role

pytestmark = pytest.mark.django_db
State = Proposal.State
BOARD = "/workbench/handling/board/"


def url(path: str) -> str:
    return f"/workbench/handling/{path}"


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def registered(member, other_member, staff_user, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def co_department(db):
    return Department.objects.create(name="市公安局交警支队", code="JJ")


@pytest.fixture
def assigned(registered, staff_user, department, co_department, department_user):
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": co_department.pk, "role": "co"},
        ],
    )
    return registered, Assignment.objects.get(proposal=registered, role="lead")


def staff_client(client, user):
    client.force_login(user)
    return client


# --- 交办 -------------------------------------------------------------------------------------------


def test_assign_lead_and_co_through_the_page(client, staff_user, registered, department, co_department):
    response = staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"),
        {"department_0": department.pk, "role_0": "lead", "department_1": co_department.pk, "role_1": "co"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/proposals/{registered.pk}/"
    assert flash(response) == ["已交办。"]
    assert Proposal.objects.get(pk=registered.pk).state == State.ASSIGNED
    assert set(Assignment.objects.filter(proposal=registered).values_list("department__name", "role")) == {
        ("市教育局", "lead"),
        ("市公安局交警支队", "co"),
    }


def test_assign_separate_units(client, staff_user, registered, department, co_department):
    staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"),
        {
            "department_0": department.pk,
            "role_0": "separate",
            "department_3": co_department.pk,
            "role_3": "separate",
        },
    )
    assert sorted(Assignment.objects.filter(proposal=registered).values_list("role", flat=True)) == [
        "separate",
        "separate",
    ]


def test_co_without_lead_shows_the_chinese_message_and_creates_nothing(
    client, staff_user, registered, co_department
):
    response = staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"), {"department_0": co_department.pk, "role_0": "co"}
    )
    assert response.status_code == 302
    assert flash(response) == ["会办单位须有主办单位。"]
    assert not Assignment.objects.exists()
    assert Proposal.objects.get(pk=registered.pk).state == State.REGISTERED


def test_row_without_role_is_a_form_error(client, staff_user, registered, department):
    response = staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"), {"department_0": department.pk}
    )
    assert flash(response) == ["第1行请选择办理方式（主办、会办或分办）。"]
    assert not Assignment.objects.exists()


def test_leader_cannot_assign(client, leader_user, registered, department):
    client.force_login(leader_user)
    response = client.post(
        url(f"proposals/{registered.pk}/assign/"), {"department_0": department.pk, "role_0": "lead"}
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()
    assert Proposal.objects.get(pk=registered.pk).state == State.REGISTERED


@pytest.mark.parametrize("who", ["member_user", "department_user"])
def test_member_and_department_are_refused(client, request, who, registered, department):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        url(f"proposals/{registered.pk}/assign/"), {"department_0": department.pk, "role_0": "lead"}
    )
    assert response.status_code == 403
    assert client.get(BOARD).status_code == 403
    assert client.post(url(f"proposals/{registered.pk}/publish/")).status_code == 403
    assert not Assignment.objects.exists()


def test_anonymous_goes_to_login(client, registered):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_on_a_post_action_is_refused(client, staff_user, registered):
    assert staff_client(client, staff_user).get(url(f"proposals/{registered.pk}/assign/")).status_code == 405


def test_unknown_proposal_is_404(client, staff_user):
    assert staff_client(client, staff_user).post(url("proposals/999999/publish/")).status_code == 404


# --- extension and adjustment ------------------------------------------------------------------------


def _ask_extension(lead, department_user):
    services.assignment_request_extension(
        actor=department_user,
        assignment=lead,
        reason="需协调财政资金",
        due_date=lead.due_date + timedelta(days=30),
    )


def test_extension_approved_moves_the_due_date(client, staff_user, assigned, department_user):
    proposal, lead = assigned
    _ask_extension(lead, department_user)
    requested = lead.due_date + timedelta(days=30)
    response = staff_client(client, staff_user).post(
        url(f"assignments/{lead.pk}/extension/"), {"decision": "approve"}
    )
    assert flash(response) == ["已同意市教育局的延期申请。"]
    assert response["Location"] == f"/workbench/proposals/{proposal.pk}/"
    lead.refresh_from_db()
    assert (lead.extension_state, lead.due_date) == ("approved", requested)


def test_extension_refused_keeps_the_due_date_and_can_come_from_the_board(
    client, staff_user, assigned, department_user
):
    _, lead = assigned
    old = lead.due_date
    _ask_extension(lead, department_user)
    response = staff_client(client, staff_user).post(
        url(f"assignments/{lead.pk}/extension/"), {"decision": "refuse", "next": BOARD}
    )
    assert response["Location"] == BOARD
    lead.refresh_from_db()
    assert (lead.extension_state, lead.due_date) == ("refused", old)


def test_extension_decision_without_request_is_a_message(client, staff_user, assigned):
    _, lead = assigned
    response = staff_client(client, staff_user).post(
        url(f"assignments/{lead.pk}/extension/"), {"decision": "approve"}
    )
    assert flash(response) == ["该交办没有待审批的延期申请。"]


def test_next_to_another_site_is_ignored(client, staff_user, assigned, department_user):
    proposal, lead = assigned
    _ask_extension(lead, department_user)
    response = staff_client(client, staff_user).post(
        url(f"assignments/{lead.pk}/extension/"), {"decision": "refuse", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/workbench/proposals/{proposal.pk}/"


def test_adjustment_approved_goes_to_a_new_department(client, staff_user, assigned, department_user):
    proposal, lead = assigned
    new = Department.objects.create(name="市住建局", code="ZJJ")
    services.assignment_request_adjustment(actor=department_user, assignment=lead, reason="不属本单位职责")
    c = staff_client(client, staff_user)
    response = c.post(url(f"assignments/{lead.pk}/adjustment/"), {"decision": "approve"})
    assert flash(response) == ["同意调整须选择新的承办单位。"]
    assert Assignment.objects.get(pk=lead.pk).state == "adjustment_requested"

    response = c.post(
        url(f"assignments/{lead.pk}/adjustment/"), {"decision": "approve", "department": new.pk}
    )
    assert "已同意调整，改由市住建局承办。" in flash(response)
    lead.refresh_from_db()
    assert lead.state == "cancelled"
    assert lead.replaced_by.department == new and lead.replaced_by.role == "lead"


def test_adjustment_refused_goes_back(client, staff_user, assigned, department_user):
    _, lead = assigned
    services.assignment_request_adjustment(actor=department_user, assignment=lead, reason="不属本单位职责")
    staff_client(client, staff_user).post(url(f"assignments/{lead.pk}/adjustment/"), {"decision": "refuse"})
    assert Assignment.objects.get(pk=lead.pk).state == "pending"


def test_leader_cannot_decide_requests(client, leader_user, assigned, department_user):
    _, lead = assigned
    _ask_extension(lead, department_user)
    client.force_login(leader_user)
    assert client.post(url(f"assignments/{lead.pk}/extension/"), {"decision": "approve"}).status_code == 403
    assert Assignment.objects.get(pk=lead.pk).extension_state == "pending"


def test_department_cannot_reach_other_assignments(client, assigned, other_department):
    _, lead = assigned
    client.force_login(make_user("wjw", Role.DEPARTMENT, department=other_department))
    assert client.post(url(f"assignments/{lead.pk}/extension/"), {"decision": "approve"}).status_code == 403


# --- 重点提案, 督办, 公开 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_user", "leader_user"])
def test_mark_key_and_supervise(client, request, who, assigned, leader_user):
    proposal, _ = assigned
    client.force_login(request.getfixturevalue(who))
    response = client.post(url(f"proposals/{proposal.pk}/key/"), {"is_key": "1", "leader": leader_user.pk})
    assert flash(response) == ["已列为重点提案。"]
    proposal.refresh_from_db()
    assert proposal.is_key and proposal.key_leader == leader_user

    response = client.post(url(f"proposals/{proposal.pk}/supervise/"), {"kind": "urge", "note": "请加快办理"})
    assert "已记录督办。" in flash(response)
    assert Supervision.objects.get(proposal=proposal).note == "请加快办理"


def test_mark_key_needs_a_leader(client, staff_user, assigned):
    proposal, _ = assigned
    response = staff_client(client, staff_user).post(url(f"proposals/{proposal.pk}/key/"), {"is_key": "1"})
    assert flash(response) == ["请选择领办领导（须为领导账号）。"]
    assert not Proposal.objects.get(pk=proposal.pk).is_key


def test_supervise_needs_a_note(client, staff_user, assigned):
    proposal, _ = assigned
    response = staff_client(client, staff_user).post(
        url(f"proposals/{proposal.pk}/supervise/"), {"kind": "urge", "note": ""}
    )
    assert flash(response) == ["督办情况：该字段是必填项。"]
    assert not Supervision.objects.exists()


def test_publish_and_unpublish(client, staff_user, assigned):
    proposal, _ = assigned
    c = staff_client(client, staff_user)
    assert flash(c.post(url(f"proposals/{proposal.pk}/publish/"))) == ["已公开。"]
    assert Proposal.objects.get(pk=proposal.pk).is_published
    c.post(url(f"proposals/{proposal.pk}/unpublish/"))
    assert not Proposal.objects.get(pk=proposal.pk).is_published


def test_publish_is_blocked_by_the_proposers_opt_out(client, staff_user, assigned, member):
    proposal, _ = assigned
    services.proposal_set_publish_opt_out(actor=member.user, proposal=proposal, opt_out=True)
    response = staff_client(client, staff_user).post(url(f"proposals/{proposal.pk}/publish/"))
    assert flash(response) == ["提案人已申请不公开这件提案。"]
    assert not Proposal.objects.get(pk=proposal.pk).is_published


def test_close_unrated_before_the_window_is_a_message(client, staff_user, registered):
    Proposal.objects.filter(pk=registered.pk).update(state=State.REPLIED, replied_at=timezone.now())
    response = staff_client(client, staff_user).post(url(f"proposals/{registered.pk}/close-unrated/"))
    assert flash(response)[0].startswith("测评期")
    assert Proposal.objects.get(pk=registered.pk).state == State.REPLIED


def test_close_unrated_after_the_window(client, staff_user, registered):
    Proposal.objects.filter(pk=registered.pk).update(
        state=State.REPLIED, replied_at=timezone.now() - timedelta(days=60)
    )
    response = staff_client(client, staff_user).post(url(f"proposals/{registered.pk}/close-unrated/"))
    assert flash(response) == ["已按未评价办结。"]
    p = Proposal.objects.get(pk=registered.pk)
    assert p.state == State.CLOSED and p.closed_unrated


# --- the panel ----------------------------------------------------------------------------------------


def render_panel(user, proposal_id) -> str:
    request = RequestFactory().get(f"/workbench/proposals/{proposal_id}/")
    request.user = user
    proposal = selectors.access_proposal(user, proposal_id)
    return render_to_string("proposals/staff/_handling_panel.html", {"proposal": proposal}, request=request)


def test_panel_offers_assignment_for_a_registered_proposal(staff_user, registered, department):
    html = render_panel(staff_user, registered.pk)
    assert 'data-testid="assign-form"' in html
    assert f'action="/workbench/handling/proposals/{registered.pk}/assign/"' in html
    assert "市教育局" in html


def test_panel_shows_assignments_requests_and_supervision(staff_user, leader_user, assigned, department_user):
    proposal, lead = assigned
    _ask_extension(lead, department_user)
    services.proposal_supervise(actor=staff_user, proposal=proposal, kind="urge", note="请加快")
    Assignment.objects.filter(pk=lead.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    html = render_panel(staff_user, proposal.pk)
    assert 'data-testid="assign-form"' not in html
    assert "逾期 3 天" in html
    assert "需协调财政资金" in html and f"/workbench/handling/assignments/{lead.pk}/extension/" in html
    assert "请加快" in html and leader_user.display_name in html
    # Leaders see the table and the 督办 form, but not the staff-only decisions.
    leader_html = render_panel(leader_user, proposal.pk)
    assert "需协调财政资金" in leader_html and "/extension/" not in leader_html
    assert 'data-testid="supervise-form"' in leader_html and "/publish/" not in leader_html


def test_panel_is_empty_for_unregistered_proposals(staff_user, member, plenary, django_assert_num_queries):
    p = services.proposal_create(
        actor=member.user,
        title="草稿",
        content="正文",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    request = RequestFactory().get("/")
    request.user = staff_user
    proposal = selectors.access_proposal(staff_user, p.pk)
    with django_assert_num_queries(0):
        html = render_to_string(
            "proposals/staff/_handling_panel.html", {"proposal": proposal}, request=request
        )
    assert html.strip() == ""


def test_panel_queries_do_not_grow_with_assignments(staff_user, registered):
    departments = [Department.objects.create(name=f"单位{i}", code=f"U{i:02}") for i in range(5)]
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[{"department": d.pk, "role": "separate"} for d in departments[:2]],
    )
    request = RequestFactory().get("/")
    request.user = staff_user

    def count(proposal_id):
        proposal = selectors.access_proposal(staff_user, proposal_id)
        with CaptureQueriesContext(connection) as ctx:
            render_to_string("proposals/staff/_handling_panel.html", {"proposal": proposal}, request=request)
        return len(ctx)

    few = count(registered.pk)
    # Three more units (and every assignment with a pending extension request).
    for d in departments[2:]:
        Assignment.objects.create(
            proposal=registered,
            department=d,
            role="separate",
            assigned_at=timezone.now(),
            assigned_by=staff_user,
            due_basis=timezone.localdate(),
            due_date=timezone.localdate(),
            extension_state="pending",
            extension_due_date=timezone.localdate() + timedelta(days=9),
            extension_reason="理由",
        )
    assert count(registered.pk) == few


# --- the board ----------------------------------------------------------------------------------------


def _board_rows(n, *, staff_user, leader_user, member, term, plenary, departments, start=0):
    today = timezone.localdate()
    category = ProposalCategory.objects.get(name="社会")
    for i in range(start, start + n):
        p = Proposal.objects.create(
            title=f"重点提案{i}",
            content="正文",
            category=category,
            proposer=member,
            created_by=member.user,
            term=term,
            plenary=plenary,
            state=State.IN_PROGRESS,
            serial=i + 1,
            number=f"第{i + 1:04}号",
            is_key=True,
            key_leader=leader_user,
        )
        for j, (state, extension) in enumerate(
            [("accepted", ""), ("adjustment_requested", ""), ("accepted", "pending")]
        ):
            Assignment.objects.create(
                proposal=p,
                department=departments[j],
                role="separate",
                state=state,
                assigned_at=timezone.now(),
                assigned_by=staff_user,
                due_basis=today,
                due_date=today - timedelta(days=4) if j == 0 else today + timedelta(days=40),
                extension_state=extension,
                extension_due_date=today + timedelta(days=80) if extension else None,
                extension_reason="资金未到位" if extension else "",
                adjustment_reason="职责不符" if state == "adjustment_requested" else "",
            )


def test_board_lists_key_overdue_and_requests(
    client, staff_user, leader_user, member, term, plenary, department, other_department
):
    third = Department.objects.create(name="市财政局", code="CZJ")
    _board_rows(
        1,
        staff_user=staff_user,
        leader_user=leader_user,
        member=member,
        term=term,
        plenary=plenary,
        departments=[department, other_department, third],
    )
    response = staff_client(client, staff_user).get(BOARD)
    assert response.status_code == 200
    html = response.content.decode()
    p = Proposal.objects.get()
    assert f'href="/workbench/proposals/{p.pk}/"' in html
    assert "重点提案0" in html and leader_user.display_name in html
    assert "逾期 4 天" in html and "市教育局" in html
    assert "职责不符" in html and "资金未到位" in html
    adjustment = Assignment.objects.get(state="adjustment_requested")
    extension = Assignment.objects.get(extension_state="pending")
    assert f"/workbench/handling/assignments/{adjustment.pk}/adjustment/" in html
    assert f"/workbench/handling/assignments/{extension.pk}/extension/" in html
    assert f'name="next" value="{BOARD}"' in html


def test_leader_views_the_board_without_decisions(
    client, staff_user, leader_user, member, term, plenary, department, other_department
):
    third = Department.objects.create(name="市财政局", code="CZJ")
    _board_rows(
        1,
        staff_user=staff_user,
        leader_user=leader_user,
        member=member,
        term=term,
        plenary=plenary,
        departments=[department, other_department, third],
    )
    client.force_login(leader_user)
    html = client.get(BOARD).content.decode()
    assert "资金未到位" in html and "/extension/" not in html and "/adjustment/" not in html


def test_board_queries_do_not_grow_with_rows(
    client, staff_user, leader_user, member, term, plenary, department, other_department
):
    third = Department.objects.create(name="市财政局", code="CZJ")
    kwargs = dict(
        staff_user=staff_user,
        leader_user=leader_user,
        member=member,
        term=term,
        plenary=plenary,
        departments=[department, other_department, third],
    )
    c = staff_client(client, staff_user)
    _board_rows(2, **kwargs)
    with CaptureQueriesContext(connection) as few:
        assert c.get(BOARD).status_code == 200
    _board_rows(18, start=2, **kwargs)
    with CaptureQueriesContext(connection) as many:
        html = c.get(BOARD).content.decode()
    assert html.count("逾期 4 天") == 20
    assert len(many) == len(few)


def test_staff_review_page_includes_the_panel_and_the_assignment_flow(
    client, staff_user, registered, department
):
    c = staff_client(client, staff_user)
    page = c.get(f"/workbench/proposals/{registered.pk}/")
    assert page.status_code == 200
    assert 'data-testid="assign-form"' in page.content.decode()
    response = c.post(
        url(f"proposals/{registered.pk}/assign/"),
        {"department_0": department.pk, "role_0": "lead", "next": f"/workbench/proposals/{registered.pk}/"},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/workbench/proposals/{registered.pk}/"
    assert "已交办。" in html and 'data-testid="assignments-table"' in html and "待签收" in html


# --- 交办: the due dates before confirming, and a date staff set ----------------------------------------


def test_assign_form_shows_each_roles_due_date_before_confirming(client, staff_user, registered):
    from zhengxie.workflow.calendar import WorkCalendar

    today = timezone.localdate()
    cal = WorkCalendar.around(today)
    lead_due, co_due = cal.due(today, "3m").date, cal.due(today, "1m").date
    body = staff_client(client, staff_user).get(f"/workbench/proposals/{registered.pk}/").content.decode()
    preview = body.split('data-testid="assign-due-preview"', 1)[1].split("</ul>", 1)[0]
    assert f"主办、分办（答复）：3个月，至 <strong>{lead_due:%Y-%m-%d}</strong>" in preview
    assert f"会办（会办意见）：1个月，至 <strong>{co_due:%Y-%m-%d}</strong>" in preview
    assert 'name="due_0"' in body and 'type="date"' in body


def test_staff_may_set_a_specific_due_date_audited(client, staff_user, registered, department, co_department):
    from zhengxie.workflow.models import AuditEntry

    chosen = timezone.localdate() + timedelta(days=40)
    response = staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"),
        {
            "department_0": department.pk,
            "role_0": "lead",
            "due_0": chosen.isoformat(),
            "department_1": co_department.pk,
            "role_1": "co",
        },
    )
    assert response.status_code == 302
    lead = Assignment.objects.get(proposal=registered, role="lead")
    co = Assignment.objects.get(proposal=registered, role="co")
    assert (lead.due_date, lead.due_span, lead.due_provisional) == (chosen, "", False)
    assert co.due_span == "1m"  # the other row keeps the rule's date
    entry = AuditEntry.objects.get(action="assignment_due_date_set")
    assert entry.detail["due_date"] == chosen.isoformat() and entry.object_id == str(lead.pk)
    body = client.get(f"/workbench/proposals/{registered.pk}/").content.decode()
    assert f"{chosen:%Y-%m-%d}" in body and "（指定）" in body


@pytest.mark.parametrize("days", [0, -1, 400])
def test_a_due_date_in_the_past_or_past_the_cap_is_refused(client, staff_user, registered, department, days):
    response = staff_client(client, staff_user).post(
        url(f"proposals/{registered.pk}/assign/"),
        {
            "department_0": department.pk,
            "role_0": "lead",
            "due_0": (timezone.localdate() + timedelta(days=days)).isoformat(),
        },
    )
    assert response.status_code == 302 and "指定办理期限" in flash(response)[0]
    assert not Assignment.objects.exists()


def test_api_assign_takes_a_due_date(api, staff_user, registered, department):
    chosen = timezone.localdate() + timedelta(days=30)
    response = api(staff_user).post(
        f"/api/v1/proposals/{registered.pk}/assign/",
        {"assignments": [{"department": department.pk, "role": "lead", "due_date": chosen.isoformat()}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Assignment.objects.get(proposal=registered).due_date == chosen


def test_supervision_summary_counts_each_department(assigned, department, co_department, department_user):
    """The board's per-department line: overdue open tasks, adjustment and extension requests; a replied
    or cancelled overdue task is not counted; most overdue first."""
    proposal, lead = assigned
    co = Assignment.objects.get(proposal=proposal, role="co")
    past = timezone.localdate() - timedelta(days=3)
    Assignment.objects.filter(pk__in=[lead.pk, co.pk]).update(due_date=past)
    Assignment.objects.filter(pk=lead.pk).update(extension_state=Assignment.ExtensionState.PENDING)
    Assignment.objects.filter(pk=co.pk).update(state=Assignment.State.ADJUSTMENT_REQUESTED)
    # Another overdue task of the lead department, and a replied one that is not overdue any more.
    for state in (Assignment.State.ACCEPTED, Assignment.State.REPLIED):
        copy = Assignment.objects.get(pk=lead.pk)
        copy.pk, copy.role, copy.state, copy.extension_state = None, "co", state, ""
        copy.save(force_insert=True)
    rows = selectors.supervision_summary()
    assert [(r["department__name"], r["overdue"], r["adjustments"], r["extensions"]) for r in rows] == [
        (department.name, 2, 0, 1),
        (co_department.name, 1, 1, 0),
    ]
    co_rows = selectors.supervision_summary(role="co")
    assert {(r["department_id"], r["overdue"], r["extensions"]) for r in co_rows} == {
        (department.pk, 1, 0),
        (co_department.pk, 1, 0),
    }
    # None overdue by five days: the requests remain, in the order of the units' names.
    late = selectors.supervision_summary(overdue_days=5)
    assert [(r["department_id"], r["overdue"], r["adjustments"], r["extensions"]) for r in late] == sorted(
        [(department.pk, 0, 0, 1), (co_department.pk, 0, 1, 0)],
        key=lambda r: Department.objects.get(pk=r[0]).name,
    )


def test_a_units_pending_extension_requests_are_read_from_their_own_index(department):
    """The 督办台 filtered by unit: its extension requests in due-date order straight from a partial index
    on (unit, due date); with the all-units one the planner ANDed it with the unit's every task."""
    extensions = selectors.supervision_board(department=department.pk)["extensions"][:21]
    plan = index_plan(extensions)
    assert "Index Scan using assignment_dept_ext_due_idx" in plan and "Sort" not in plan, plan
