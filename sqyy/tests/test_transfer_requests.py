"""转办 申请调整 and 申请延期 (rules shared with proposal assignments in zhengxie/workflow/handling.py):
every transition and refusal through the services, the API and the pages."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from sqyy import services
from sqyy.models import Transfer
from zhengxie.accounts.models import Department, Role
from zhengxie.notifications.models import Notification
from zhengxie.workflow.calendar import add_months
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry, HandlingPolicy
from zhengxie.workflow.selectors import history_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_user(other_department):
    return make_user("dept2", Role.DEPARTMENT, name="李科长", department=other_department)


def _assigned_on(task) -> date:
    return timezone.localtime(task.assigned_at).date()


def _fresh(task) -> Transfer:
    return Transfer.objects.get(pk=task.pk)


def _push_back(task, days: int) -> None:
    """Pretend the transfer was made `days` ago (past the adjustment window)."""
    Transfer.objects.filter(pk=task.pk).update(assigned_at=timezone.now() - timedelta(days=days))


# --- services: 申请调整 ------------------------------------------------------------------------------


def test_adjustment_approved_cancels_and_transfers_to_new_department(
    transferred, department_user, other_department, other_user, staff_user
):
    HandlingPolicy.objects.create(transfer_months=2)
    services.transfer_accept(actor=department_user, transfer=transferred)
    task = services.transfer_request_adjustment(
        actor=department_user, transfer=transferred, reason="  不属于本单位职责  "
    )
    task = _fresh(task)
    assert (task.state, task.adjustment_reason, task.adjustment_from_state) == (
        "adjustment_requested",
        "不属于本单位职责",
        "accepted",
    )
    assert Notification.objects.filter(recipient=staff_user, title__startswith="转办申请调整").exists()

    new = services.transfer_resolve_adjustment(
        actor=staff_user, transfer=task, approve=True, department=other_department.pk
    )
    task = _fresh(task)
    assert task.state == "cancelled" and task.replaced_by_id == new.pk
    today = timezone.localdate()
    assert (new.department, new.state, new.report_id, new.due_span, new.due_basis) == (
        other_department,
        "pending",
        task.report_id,
        "2m",
        today,
    )
    assert new.due_date >= add_months(today, 2)
    assert [(h.action, h.to_state) for h in history_of(task)][-2:] == [
        ("request_adjustment", "adjustment_requested"),
        ("approve_adjustment", "cancelled"),
    ]
    assert list(history_of(task))[-1].comment == f"改由{other_department.name}承办"
    assert [(h.action, h.comment) for h in history_of(new)] == [("assign", "调整转办")]
    assert Notification.objects.filter(
        recipient=department_user, title__startswith="转办调整申请已同意"
    ).exists()
    notice = Notification.objects.get(recipient=other_user, title__startswith="新转办社情民意")
    assert notice.link == f"/portal/transfers/{new.pk}/"
    actions = set(AuditEntry.objects.filter(object_id=str(task.pk)).values_list("action", flat=True))
    assert {"transfer_request_adjustment", "transfer_approve_adjustment"} <= actions
    # The new department handles it through to the office's feedback; the cancelled one is not waited for.
    services.transfer_accept(actor=other_user, transfer=new)
    services.transfer_reply(actor=other_user, transfer=new, result="A", content="已解决")
    report = services.opinion_report_feedback(actor=staff_user, report=task.report_id, content="已办结")
    assert report.state == "closed"


def test_adjustment_refused_goes_back_to_previous_state(transferred, department_user, staff_user):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    task = services.transfer_resolve_adjustment(actor=staff_user, transfer=transferred, approve=False)
    assert _fresh(task).state == "pending" and Transfer.objects.count() == 1
    assert list(history_of(task))[-1].action == "refuse_adjustment"
    assert Notification.objects.filter(
        recipient=department_user, title__startswith="转办调整申请未获同意"
    ).exists()
    # From 已签收 it goes back to 已签收.
    services.transfer_accept(actor=department_user, transfer=transferred)
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    services.transfer_resolve_adjustment(actor=staff_user, transfer=transferred, approve=False)
    assert _fresh(transferred).state == "accepted"


def test_adjustment_refusals_change_nothing(transferred, department_user, staff_user, other_user):
    with pytest.raises(InvalidInput, match="申请调整须说明理由"):
        services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="  ")
    with pytest.raises(PermissionDenied):
        services.transfer_request_adjustment(actor=other_user, transfer=transferred, reason="x")
    with pytest.raises(PermissionDenied):
        services.transfer_request_adjustment(actor=staff_user, transfer=transferred, reason="x")
    with pytest.raises(TransitionNotAllowed, match="该转办没有待处理的调整申请"):
        services.transfer_resolve_adjustment(actor=staff_user, transfer=transferred, approve=False)
    _push_back(transferred, 30)
    with pytest.raises(InvalidInput, match="已超过交办后5个工作日的申请调整期限"):
        services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    task = _fresh(transferred)
    assert (task.state, task.adjustment_reason) == ("pending", "")


def test_adjustment_window_comes_from_policy(transferred, department_user):
    _push_back(transferred, 30)
    HandlingPolicy.objects.create(adjustment_window_workdays=40)
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    assert _fresh(transferred).state == "adjustment_requested"


def test_no_adjustment_after_reply(transferred, department_user):
    services.transfer_accept(actor=department_user, transfer=transferred)
    services.transfer_reply(actor=department_user, transfer=transferred, result="A", content="已解决")
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已答复”，不能申请调整"):
        services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="x")


def test_approve_adjustment_needs_valid_department(
    transferred, department, department_user, other_department, staff_user
):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    with pytest.raises(InvalidInput, match="同意调整须选择新的承办单位"):
        services.transfer_resolve_adjustment(actor=staff_user, transfer=transferred, approve=True)
    Department.objects.filter(pk=other_department.pk).update(is_active=False)
    with pytest.raises(InvalidInput, match="同意调整须选择新的承办单位"):
        services.transfer_resolve_adjustment(
            actor=staff_user, transfer=transferred, approve=True, department=other_department.pk
        )
    with pytest.raises(InvalidInput, match="已承办这条社情民意"):
        services.transfer_resolve_adjustment(
            actor=staff_user, transfer=transferred, approve=True, department=department
        )
    assert _fresh(transferred).state == "adjustment_requested" and Transfer.objects.count() == 1


def test_only_staff_resolve_adjustment(transferred, department_user, leader_user):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    for user in (department_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.transfer_resolve_adjustment(actor=user, transfer=transferred, approve=False)
    assert _fresh(transferred).state == "adjustment_requested"


# --- services: 申请延期 ------------------------------------------------------------------------------


def test_extension_moves_due_only_on_approval(transferred, department_user, staff_user):
    old_due = transferred.due_date
    wanted = old_due + timedelta(days=20)
    services.transfer_request_extension(
        actor=department_user, transfer=transferred, reason="需多部门协调", due_date=wanted.isoformat()
    )
    task = _fresh(transferred)
    assert (task.extension_state, task.extension_due_date, task.due_date) == ("pending", wanted, old_due)
    assert Notification.objects.filter(recipient=staff_user, title__startswith="转办申请延期").exists()
    with pytest.raises(TransitionNotAllowed, match="已有延期申请待审批"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="再申请", due_date=wanted
        )
    services.transfer_resolve_extension(actor=staff_user, transfer=transferred, approve=True)
    task = _fresh(transferred)
    assert (task.due_date, task.due_span, task.due_provisional, task.extension_state) == (
        wanted,
        "",
        False,
        "approved",
    )
    last = list(history_of(task))[-1]
    assert (
        last.action == "approve_extension"
        and last.comment == f"期限由{old_due:%Y-%m-%d}延至{wanted:%Y-%m-%d}"
    )
    assert AuditEntry.objects.filter(action="transfer_resolve_extension", object_id=str(task.pk)).exists()
    assert Notification.objects.filter(
        recipient=department_user, title__startswith="转办延期申请已同意"
    ).exists()


def test_extension_refused_keeps_due(transferred, department_user, staff_user):
    old_due = transferred.due_date
    services.transfer_request_extension(
        actor=department_user, transfer=transferred, reason="需协调", due_date=old_due + timedelta(days=5)
    )
    services.transfer_resolve_extension(actor=staff_user, transfer=transferred, approve=False)
    task = _fresh(transferred)
    assert (task.due_date, task.extension_state) == (old_due, "refused")
    assert Notification.objects.filter(
        recipient=department_user, title__startswith="转办延期申请未获同意"
    ).exists()
    with pytest.raises(TransitionNotAllowed, match="该转办没有待审批的延期申请"):
        services.transfer_resolve_extension(actor=staff_user, transfer=transferred, approve=True)
    # A refused request may be followed by a new one.
    services.transfer_request_extension(
        actor=department_user, transfer=transferred, reason="再申请", due_date=old_due + timedelta(days=3)
    )
    assert _fresh(transferred).extension_state == "pending"


def test_extension_refusals_change_nothing(transferred, department_user, other_user, staff_user, leader_user):
    cap = add_months(_assigned_on(transferred), 6)
    with pytest.raises(InvalidInput, match="申请延期须说明理由"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="", due_date=cap
        )
    with pytest.raises(InvalidInput, match="延期日期"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="x", due_date="明年"
        )
    with pytest.raises(InvalidInput, match="须晚于现在的办理期限"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="x", due_date=transferred.due_date
        )
    with pytest.raises(InvalidInput, match=f"不能晚于{cap:%Y年%m月%d日}（交办后6个月）"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="x", due_date=cap + timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.transfer_request_extension(actor=other_user, transfer=transferred, reason="x", due_date=cap)
    with pytest.raises(TransitionNotAllowed, match="没有待审批的延期申请"):
        services.transfer_resolve_extension(actor=staff_user, transfer=transferred, approve=True)
    assert _fresh(transferred).extension_state == ""
    # Exactly the cap is allowed; only staff decide.
    services.transfer_request_extension(actor=department_user, transfer=transferred, reason="x", due_date=cap)
    for user in (department_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.transfer_resolve_extension(actor=user, transfer=transferred, approve=True)
    assert _fresh(transferred).extension_state == "pending"


def test_extension_cap_comes_from_policy(transferred, department_user):
    HandlingPolicy.objects.create(extension_cap_months=2)
    cap = add_months(_assigned_on(transferred), 2)
    with pytest.raises(InvalidInput, match="交办后2个月"):
        services.transfer_request_extension(
            actor=department_user, transfer=transferred, reason="x", due_date=cap + timedelta(days=1)
        )


def test_no_extension_once_replied(transferred, department_user):
    services.transfer_accept(actor=department_user, transfer=transferred)
    services.transfer_reply(actor=department_user, transfer=transferred, result="A", content="已解决")
    with pytest.raises(TransitionNotAllowed, match="不能申请延期"):
        services.transfer_request_extension(
            actor=department_user,
            transfer=transferred,
            reason="x",
            due_date=transferred.due_date + timedelta(days=3),
        )


# --- API ---------------------------------------------------------------------------------------------


def _url(task, action=""):
    return f"/api/v1/transfers/{task.pk}/{action}"


def test_api_adjustment_flow(api, transferred, department_user, staff_user, other_department):
    dept, staff = api(department_user), api(staff_user)
    bad = dept.post(_url(transferred, "request-adjustment/"), {"reason": ""}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"] == "申请调整须说明理由。"
    data = dept.post(
        _url(transferred, "request-adjustment/"), {"reason": "非本单位职责"}, format="json"
    ).json()
    assert data["state"] == "adjustment_requested" and data["adjustment_reason"] == "非本单位职责"
    no_dept = staff.post(_url(transferred, "resolve-adjustment/"), {"approve": True}, format="json")
    assert no_dept.status_code == 400 and no_dept.json()["detail"] == "同意调整须选择新的承办单位。"
    assert _fresh(transferred).state == "adjustment_requested"
    response = staff.post(
        _url(transferred, "resolve-adjustment/"),
        {"approve": True, "department": other_department.pk},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    new = Transfer.objects.get(department=other_department)
    assert data["state"] == "cancelled" and data["replaced_by"] == new.pk
    assert staff.get(_url(new)).json()["state"] == "pending"
    # The old department no longer sees the replacement.
    assert dept.get(_url(new)).status_code == 404


def test_api_refuse_adjustment(api, transferred, department_user, staff_user):
    api(department_user).post(_url(transferred, "request-adjustment/"), {"reason": "职责不符"}, format="json")
    data = (
        api(staff_user)
        .post(_url(transferred, "resolve-adjustment/"), {"approve": False}, format="json")
        .json()
    )
    assert data["state"] == "pending" and data["replaced_by"] is None


def test_api_adjustment_after_window_400(api, transferred, department_user):
    _push_back(transferred, 30)
    response = api(department_user).post(
        _url(transferred, "request-adjustment/"), {"reason": "职责不符"}, format="json"
    )
    assert response.status_code == 400 and "申请调整期限" in response.json()["detail"]
    assert _fresh(transferred).state == "pending"


def test_api_department_cannot_resolve_own_request_and_others_get_404(
    api, transferred, department_user, other_user, other_department, leader_user
):
    dept = api(department_user)
    dept.post(_url(transferred, "request-adjustment/"), {"reason": "职责不符"}, format="json")
    wanted = transferred.due_date + timedelta(days=10)
    dept.post(
        _url(transferred, "request-extension/"), {"reason": "x", "due_date": str(wanted)}, format="json"
    )
    own = dept.post(
        _url(transferred, "resolve-adjustment/"),
        {"approve": True, "department": other_department.pk},
        format="json",
    )
    assert own.status_code == 403
    assert (
        dept.post(_url(transferred, "resolve-extension/"), {"approve": True}, format="json").status_code
        == 403
    )
    leader = api(leader_user)
    assert (
        leader.post(_url(transferred, "resolve-extension/"), {"approve": True}, format="json").status_code
        == 403
    )
    stranger = api(other_user)
    for action, payload in (
        ("request-adjustment/", {"reason": "x"}),
        ("resolve-adjustment/", {"approve": False}),
        ("request-extension/", {"reason": "x", "due_date": str(wanted)}),
        ("resolve-extension/", {"approve": True}),
    ):
        assert stranger.post(_url(transferred, action), payload, format="json").status_code == 404
    task = _fresh(transferred)
    assert (task.state, task.extension_state, task.due_date) == (
        "adjustment_requested",
        "pending",
        transferred.due_date,
    )


def test_api_extension_flow(api, transferred, department_user, staff_user):
    dept, staff = api(department_user), api(staff_user)
    cap = add_months(_assigned_on(transferred), 6)
    past_cap = dept.post(
        _url(transferred, "request-extension/"),
        {"reason": "x", "due_date": str(cap + timedelta(days=1))},
        format="json",
    )
    assert past_cap.status_code == 400 and "不能晚于" in past_cap.json()["detail"]
    assert _fresh(transferred).extension_state == ""
    wanted = transferred.due_date + timedelta(days=15)
    data = dept.post(
        _url(transferred, "request-extension/"), {"reason": "需协调", "due_date": str(wanted)}, format="json"
    ).json()
    assert data["extension_state"] == "pending" and data["due_date"] == str(transferred.due_date)
    assert data["extension_due_date"] == str(wanted) and data["extension_reason"] == "需协调"
    data = staff.post(_url(transferred, "resolve-extension/"), {"approve": True}, format="json").json()
    assert data["extension_state"] == "approved" and data["due_date"] == str(wanted)
    again = staff.post(_url(transferred, "resolve-extension/"), {"approve": True}, format="json")
    assert again.status_code == 400 and again.json()["detail"] == "该转办没有待审批的延期申请。"


# --- pages -------------------------------------------------------------------------------------------


def _page(client, user, path):
    client.force_login(user)
    return client.get(path)


def test_portal_shows_request_forms_and_submits(client, transferred, department_user, staff_user):
    path = f"/portal/transfers/{transferred.pk}/"
    html = _page(client, department_user, path).content.decode()
    assert 'data-testid="form-adjust"' in html and 'data-testid="form-extend"' in html
    bad = client.post(f"{path}adjust/", {"reason": ""})
    assert bad.status_code == 400 and 'open data-testid="form-adjust"' in bad.content.decode()
    response = client.post(f"{path}adjust/", {"reason": "不属于本单位职责"})
    assert response.status_code == 302 and response["Location"] == path
    assert _fresh(transferred).state == "adjustment_requested"
    html = client.get(path).content.decode()
    assert "已申请调整" in html and 'data-testid="form-adjust"' not in html

    wanted = transferred.due_date + timedelta(days=10)
    response = client.post(f"{path}extend/", {"reason": "需协调", "due_date": wanted.isoformat()})
    assert response.status_code == 302
    html = client.get(path).content.decode()
    assert "延期申请待审批" in html and 'data-testid="form-extend"' not in html


def test_portal_domain_errors_shown_nothing_changed(client, transferred, department_user):
    path = f"/portal/transfers/{transferred.pk}/"
    client.force_login(department_user)
    _push_back(transferred, 30)
    response = client.post(f"{path}adjust/", {"reason": "职责不符"})
    assert response.status_code == 400 and "申请调整期限" in response.content.decode()
    cap = add_months(_assigned_on(_fresh(transferred)), 6)
    response = client.post(
        f"{path}extend/", {"reason": "x", "due_date": (cap + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 400 and "不能晚于" in response.content.decode()
    task = _fresh(transferred)
    assert (task.state, task.extension_state) == ("pending", "")


def test_portal_request_wrong_roles(client, transferred, other_user, staff_user):
    path = f"/portal/transfers/{transferred.pk}/"
    client.force_login(other_user)
    assert client.post(f"{path}adjust/", {"reason": "x"}).status_code == 404
    assert client.post(f"{path}extend/", {"reason": "x", "due_date": "2030-01-01"}).status_code == 404
    client.force_login(staff_user)
    assert client.post(f"{path}adjust/", {"reason": "x"}).status_code == 403
    assert _fresh(transferred).state == "pending"


def test_staff_page_approves_adjustment(client, transferred, department_user, staff_user, other_department):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="非本单位职责")
    report_path = f"/workbench/opinions/{transferred.report_id}/"
    html = _page(client, staff_user, report_path).content.decode()
    assert 'data-testid="transfer-requests"' in html and "非本单位职责" in html
    assert f"/workbench/opinions/transfers/{transferred.pk}/adjustment/" in html
    url = f"/workbench/opinions/transfers/{transferred.pk}/adjustment/"
    missing = client.post(url, {"decision": "approve", "department": ""})
    assert missing.status_code == 400 and "同意调整须选择新的承办单位。" in missing.content.decode()
    assert _fresh(transferred).state == "adjustment_requested"
    response = client.post(url, {"decision": "approve", "department": other_department.pk})
    assert response.status_code == 302 and response["Location"] == report_path
    assert _fresh(transferred).state == "cancelled"
    assert Transfer.objects.get(department=other_department).state == "pending"
    assert 'data-testid="transfer-requests"' not in client.get(report_path).content.decode()


def test_staff_page_refuses_adjustment_and_decides_extension(
    client, transferred, department_user, staff_user
):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    wanted = transferred.due_date + timedelta(days=7)
    services.transfer_request_extension(
        actor=department_user, transfer=transferred, reason="需协调", due_date=wanted
    )
    client.force_login(staff_user)
    base = f"/workbench/opinions/transfers/{transferred.pk}/"
    assert client.post(f"{base}adjustment/", {"decision": "refuse"}).status_code == 302
    assert _fresh(transferred).state == "pending"
    assert client.post(f"{base}extension/", {"decision": "maybe"}).status_code == 400
    assert client.post(f"{base}extension/", {"decision": "approve"}).status_code == 302
    assert _fresh(transferred).due_date == wanted
    again = client.post(f"{base}extension/", {"decision": "approve"})
    assert again.status_code == 400 and "该转办没有待审批的延期申请。" in again.content.decode()


def test_staff_decisions_wrong_roles(client, transferred, department_user, leader_user):
    services.transfer_request_adjustment(actor=department_user, transfer=transferred, reason="职责不符")
    base = f"/workbench/opinions/transfers/{transferred.pk}/"
    for user in (department_user, leader_user):
        client.force_login(user)
        assert client.post(f"{base}adjustment/", {"decision": "refuse"}).status_code == 403
        assert client.post(f"{base}extension/", {"decision": "refuse"}).status_code == 403
    # Leaders see the request on the report page, without the staff controls.
    html = client.get(f"/workbench/opinions/{transferred.report_id}/").content.decode()
    assert "职责不符" in html and f"{base}adjustment/" not in html
    client.force_login(make_user("staff9", Role.STAFF))
    assert (
        client.post("/workbench/opinions/transfers/999999/adjustment/", {"decision": "refuse"}).status_code
        == 404
    )
    assert _fresh(transferred).state == "adjustment_requested"


def test_staff_page_query_count_does_not_grow_with_requests(client, instructed, staff_user):
    departments = [Department.objects.create(name=f"单位{i}", code=f"D{i}") for i in range(6)]
    tasks = services.opinion_report_transfer(actor=staff_user, report=instructed, departments=departments)
    users = [make_user(f"u{i}", Role.DEPARTMENT, department=d) for i, d in enumerate(departments)]
    client.force_login(staff_user)
    path = f"/workbench/opinions/{instructed.pk}/"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    services.transfer_request_adjustment(actor=users[0], transfer=tasks[0], reason="职责不符")
    one = count()
    for user, task in zip(users[1:], tasks[1:], strict=True):
        services.transfer_request_adjustment(actor=user, transfer=task, reason="职责不符")
        services.transfer_request_extension(
            actor=user, transfer=task, reason="需协调", due_date=task.due_date + timedelta(days=5)
        )
    assert count() == one
