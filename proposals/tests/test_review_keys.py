"""Issue 19: the keyboard 立案审查 screen — queue navigation, actions through the services (same audit
rows), the day's counter, optimistic concurrency, permissions."""

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Proposal, ProposalCategory, RejectionReason
from proposals.page_selectors import review_day_counts, review_version
from zhengxie.accounts.models import Role
from zhengxie.workflow.models import AuditEntry, TransitionLog

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture(autouse=True)
def _current_term(term):
    return term


@pytest.fixture
def submitted(member, plenary):
    def make(title, content="情况、分析和建议。"):
        p = services.proposal_create(
            actor=member.user,
            title=title,
            content=content,
            category=ProposalCategory.objects.get(name="社会"),
            during_plenary=True,
            plenary=plenary,
        )
        return services.proposal_submit(actor=member.user, proposal=p)

    return make


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _post(client, p, action, **extra):
    p.refresh_from_db()
    return client.post(
        f"/workbench/proposals/review-keys/{p.pk}/act/",
        {"action": action, "version": review_version(p), **extra},
    )


def test_start_goes_to_the_oldest_submitted_and_pages_through(submitted, staff_user):
    a, b, c = submitted("关于甲的建议"), submitted("关于乙的建议"), submitted("关于丙的建议")
    client = _client(staff_user)
    res = client.get("/workbench/proposals/review-keys/")
    assert res.status_code == 302 and res["Location"] == f"/workbench/proposals/review-keys/{a.pk}/"
    page = client.get(f"/workbench/proposals/review-keys/{b.pk}/").content.decode()
    assert "待审第 2 件 / 共 3 件" in page
    assert f'id="nav-next" href="/workbench/proposals/review-keys/{c.pk}/"' in page
    assert f'id="nav-prev" href="/workbench/proposals/review-keys/{a.pk}/"' in page
    assert (
        'src="/static/js/review_keys.js"' in page and "<script>" not in page.split("review_keys.js")[0][-300:]
    )
    for label in ("立案 (R)", "退回修改 (T)", "不予立案 (J)", "下一件 (N)", "上一件 (P)"):
        assert label in page


def test_actions_go_through_the_services_and_move_to_the_next(submitted, staff_user, member):
    a, b, c, d = (submitted(f"关于第{n}事的建议") for n in "一二三四")
    client = _client(staff_user)
    res = _post(client, a, "register")
    assert res["Location"] == f"/workbench/proposals/review-keys/{b.pk}/"
    a.refresh_from_db()
    assert a.state == State.REGISTERED and a.number
    assert AuditEntry.objects.filter(
        action="proposal_register", object_id=str(a.pk), actor=staff_user
    ).exists()
    reason = RejectionReason.objects.order_by("order", "id")[1]
    res = _post(client, b, "reject", reason_code=reason.pk, disposition="letter")
    assert res["Location"] == f"/workbench/proposals/review-keys/{c.pk}/"
    b.refresh_from_db()
    assert b.state == State.NOT_REGISTERED and b.rejection_reason == reason and b.disposition == "letter"
    _post(client, c, "return", reason="请补充具体建议。")
    c.refresh_from_db()
    assert c.state == State.RETURNED and c.return_reason == "请补充具体建议。"
    res = _post(client, d, "merge", into=a.pk)
    d.refresh_from_db()
    assert d.state == State.MERGED and d.merged_into_id == a.pk
    assert res["Location"] == "/workbench/proposals/review-keys/"  # queue empty
    page = client.get("/workbench/proposals/review-keys/").content.decode()
    assert "审查队列已清空" in page
    assert (
        TransitionLog.objects.filter(
            actor=staff_user, action__in=["register", "reject", "return", "merge"]
        ).count()
        == 4
    )
    assert review_day_counts(staff_user) == {"register": 1, "return": 1, "reject": 1, "merge": 1, "total": 4}


def test_a_refusal_stays_on_the_proposal(submitted, staff_user):
    a, _ = submitted("关于甲的建议"), submitted("关于乙的建议")
    client = _client(staff_user)
    res = _post(client, a, "return", reason="")
    assert res["Location"] == f"/workbench/proposals/review-keys/{a.pk}/"
    assert "退回须填写理由" in client.get(res["Location"]).content.decode()
    res = _post(client, a, "reject", disposition="none")
    assert res["Location"] == f"/workbench/proposals/review-keys/{a.pk}/"
    a.refresh_from_db()
    assert a.state == State.SUBMITTED


def test_the_day_counter_counts_this_staff_member_today(submitted, staff_user):
    a, b, c = submitted("关于甲的建议"), submitted("关于乙的建议"), submitted("关于丙的建议")
    other = make_user("staff2", Role.STAFF, name="李干事")
    client = _client(staff_user)
    _post(client, a, "register")
    services.proposal_register(actor=other, proposal=b)  # another staff member's work is not counted
    services.proposals_register_bulk(actor=staff_user, proposal_ids=[c.pk])  # bulk 立案 is
    AuditEntry.objects.filter(action="proposal_register", object_id=str(c.pk)).update(
        at=timezone.now() - timezone.timedelta(days=1)
    )  # …but not yesterday's
    page = client.get("/workbench/proposals/review-keys/").content.decode()
    assert '<strong data-count="register">1</strong>' in page
    assert review_day_counts(other)["register"] == 1


def test_someone_else_acted_meanwhile(submitted, staff_user, member):
    a, b = submitted("关于甲的建议"), submitted("关于乙的建议")
    client = _client(staff_user)
    stale = review_version(a)
    other = make_user("staff2", Role.STAFF, name="李干事")
    services.proposal_return(actor=other, proposal=a, reason="请修改")
    services.proposal_update(actor=member.user, proposal=a, title="关于甲的建议（修改）")
    services.proposal_submit(actor=member.user, proposal=a)  # submitted again: same state, new version
    res = client.post(
        f"/workbench/proposals/review-keys/{a.pk}/act/", {"action": "register", "version": stale}
    )
    a.refresh_from_db()
    assert a.state == State.SUBMITTED and not a.number
    page = client.get(res["Location"]).content.decode()
    assert "已由其他工作人员处理或修改" in page
    # and one already registered by someone else: not touched, moved on
    services.proposal_register(actor=other, proposal=b)
    res = client.post(
        f"/workbench/proposals/review-keys/{b.pk}/act/", {"action": "return", "version": "x", "reason": "r"}
    )
    b.refresh_from_db()
    assert b.state == State.REGISTERED
    assert "当前状态：已立案" in client.get(res["Location"]).content.decode()


def test_only_staff(submitted, member_user, department_user, leader_user, staff_user):
    a = submitted("关于甲的建议")
    for user in (member_user, department_user, leader_user):
        client = _client(user)
        assert client.get("/workbench/proposals/review-keys/").status_code == 403
        assert client.get(f"/workbench/proposals/review-keys/{a.pk}/").status_code == 403
        assert _post(client, a, "register").status_code == 403
    a.refresh_from_db()
    assert a.state == State.SUBMITTED
    assert Client().get("/workbench/proposals/review-keys/").status_code == 302  # to the login page
