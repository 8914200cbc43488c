"""Department portal: the home (counts, list by due date) and the assignment page with its forms."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Contact, Proposal, ProposalCategory, Reply
from zhengxie.accounts.models import Department, Role
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def html(response) -> str:
    return response.content.decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def registered(member, other_member, staff_user, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议在学校周边增设护学岗。\n第二段正文。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_attachment_add(
        actor=member.user, proposal=p, uploaded_file=SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 data")
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def co_department(db):
    return Department.objects.create(name="市公安局交警支队", code="JJ")


@pytest.fixture
def co_user(co_department):
    return make_user("jj1", Role.DEPARTMENT, department=co_department)


@pytest.fixture
def other_user(other_department):
    return make_user("wjw1", Role.DEPARTMENT, department=other_department)


@pytest.fixture
def assigned(registered, staff_user, department, co_department, department_user, co_user):
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": co_department.pk, "role": "co"},
        ],
    )
    lead = Assignment.objects.get(proposal=registered, role="lead")
    co = Assignment.objects.get(proposal=registered, role="co")
    return registered, lead, co


def url(task, action=""):
    return f"/portal/assignments/{task.pk}/{action}"


# --- hand-built tasks for the home page -----------------------------------------------------------

_serial = {"n": 0}


@pytest.fixture(autouse=True)
def _fresh_serials():
    _serial["n"] = 0  # each test's hand-built proposals are 提案001, 提案002 …


def make_task(department, staff_user, term, *, days: int, state="pending", role="lead", provisional=False):
    _serial["n"] += 1
    n = _serial["n"]
    proposal = Proposal.objects.create(
        title=f"提案{n:03d}",
        category=ProposalCategory.objects.get(name="经济"),
        created_by=staff_user,
        term=term,
        state=Proposal.State.ASSIGNED,
        serial=n,
        number=f"十五届二次会议第{n:04d}号",
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
        due_provisional=provisional,
    )


@pytest.fixture
def hand_built(department, other_department, staff_user, term):
    tasks = {
        "pending": make_task(department, staff_user, term, days=30),
        "accepted": make_task(department, staff_user, term, days=60, state="accepted", role="co"),
        "soon": make_task(department, staff_user, term, days=3, state="accepted", provisional=True),
        "overdue": make_task(department, staff_user, term, days=-5, state="pending", role="separate"),
        "replied": make_task(department, staff_user, term, days=-20, state="replied"),
        "cancelled": make_task(department, staff_user, term, days=1, state="cancelled"),
    }
    make_task(other_department, staff_user, term, days=-9)  # another department's: never counted
    return tasks


def counts(body) -> dict:
    return {
        key: int(value)
        for key, value in re.findall(r'data-testid="count-(\w+)".*?data-count="(\d+)"', body, re.S)
    }


def rows(body) -> list[str]:
    return re.findall(r'data-testid="task-row".*?<div class="col-md-4[^"]*">([^<]+)</div>', body, re.S)


# --- roles and visibility -------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["staff_user", "leader_user", "member_user"])
def test_other_roles_get_403_on_portal_pages(client, request, assigned, fixture):
    _, lead, _ = assigned
    client.force_login(request.getfixturevalue(fixture))
    for path in ["/portal/", url(lead), url(lead, "reply-letter.docx")]:
        assert client.get(path).status_code == 403, path
    assert client.post(url(lead, "accept/")).status_code == 403
    assert Assignment.objects.get(pk=lead.pk).state == "pending"


def test_anonymous_is_sent_to_login(client, assigned):
    _, lead, _ = assigned
    response = client.get(url(lead))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_departments_task_is_404_everywhere(client, assigned, other_user):
    proposal, lead, _ = assigned
    attachment = proposal.attachments.get()
    client.force_login(other_user)
    for path in [url(lead), url(lead, "reply-letter.docx"), url(lead, f"attachments/{attachment.pk}/")]:
        assert client.get(path).status_code == 404, path
    assert client.post(url(lead, "accept/")).status_code == 404
    assert client.post(url(lead, "adjust/"), {"reason": "不归我们"}).status_code == 404
    assert Assignment.objects.get(pk=lead.pk).state == "pending"
    assert "关于加强校园周边交通安全的建议" not in html(client.get("/portal/"))


def test_home_lists_only_own_tasks(client, hand_built, department_user):
    client.force_login(department_user)
    body = html(client.get("/portal/?status=all"))
    assert sorted(rows(body)) == ["提案001", "提案002", "提案003", "提案004", "提案005"]


# --- home: counts, order, colours, filters, pages, queries ----------------------------------------


def test_counts_on_a_hand_built_set(client, hand_built, department_user):
    client.force_login(department_user)
    body = html(client.get("/portal/"))
    assert counts(body) == {"pending": 2, "in_progress": 2, "due_soon": 1, "overdue": 1, "replied": 1}


def test_list_is_sorted_by_due_date_with_overdue_and_soon_marked(client, hand_built, department_user):
    client.force_login(department_user)
    body = html(client.get("/portal/"))
    # Open tasks by default, earliest due first: overdue (-5), soon (3), pending (30), accepted (60).
    assert rows(body) == ["提案004", "提案003", "提案001", "提案002"]
    urgencies = re.findall(r'data-testid="task-row" data-urgency="(\w+)"', body)
    assert urgencies == ["overdue", "soon", "normal", "normal"]
    assert re.search(r'zx-due-overdue" data-testid="days-left">已超期5天<', body)
    assert re.search(r'zx-due-soon" data-testid="days-left">剩余3天<', body)
    assert body.count("期限待定</span>") == 1
    for label in ("主办", "会办", "分办"):
        assert f">{label}</span>" in body


@pytest.mark.parametrize(
    "status,expected",
    [
        ("overdue", ["提案004"]),
        ("due_soon", ["提案003"]),
        ("pending", ["提案004", "提案001"]),
        ("in_progress", ["提案003", "提案002"]),
        ("replied", ["提案005"]),
        ("all", ["提案005", "提案004", "提案003", "提案001", "提案002"]),
        ("nonsense", ["提案004", "提案003", "提案001", "提案002"]),
    ],
)
def test_filters_from_the_query_string(client, hand_built, department_user, status, expected):
    client.force_login(department_user)
    assert rows(html(client.get(f"/portal/?status={status}"))) == expected


def test_card_links_filter(client, hand_built, department_user):
    client.force_login(department_user)
    body = html(client.get("/portal/"))
    assert 'href="?status=overdue" data-testid="count-overdue"' in body


def test_paginates_fifty_a_page(client, department, department_user, staff_user, term):
    for i in range(55):
        make_task(department, staff_user, term, days=i)
    client.force_login(department_user)
    first = html(client.get("/portal/"))
    second = html(client.get("/portal/?page=2"))
    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert "第1页 / 共2页" in first and "?status=open&page=2" in first
    assert set(rows(first)).isdisjoint(rows(second))
    assert rows(html(client.get("/portal/?page=99"))) == rows(second)
    assert rows(html(client.get("/portal/?page=abc"))) == rows(first)


def test_home_query_count_does_not_grow(client, department, department_user, staff_user, term):
    client.force_login(department_user)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/portal/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        make_task(department, staff_user, term, days=i - 2)
    five = measure()
    for i in range(35):
        make_task(department, staff_user, term, days=i, state="accepted")
    forty = measure()
    assert five == forty
    assert len(rows(html(client.get("/portal/")))) == 40


def test_empty_portal_says_so(client, department_user):
    client.force_login(department_user)
    body = html(client.get("/portal/"))
    assert "暂无待办" in body and counts(body)["pending"] == 0


# --- assignment page --------------------------------------------------------------------------------


def test_detail_shows_the_proposal_without_the_proposers_phone(client, assigned, department_user, member):
    proposal, lead, _ = assigned
    client.force_login(department_user)
    body = html(client.get(url(lead)))
    assert proposal.title in body and "建议在学校周边增设护学岗。" in body
    assert proposal.number in body
    assert "李委员" in body and "赵委员" in body  # proposer and co-signer, by name
    assert member.mobile not in body and member.email not in body
    assert f'href="/portal/assignments/{lead.pk}/attachments/{proposal.attachments.get().pk}/"' in body
    assert "市公安局交警支队（会办）" in body
    # History of the proposal and of this assignment.
    assert "立案" in body and "交办" in body and "本单位交办" in body
    # Pending: only sign, adjust and extend apply.
    for name in ("accept", "adjust", "extend"):
        assert f'data-testid="form-{name}"' in body
    for name in ("reply", "contact", "co_opinion"):
        assert f'data-testid="form-{name}"' not in body


def test_detail_query_count_does_not_grow_with_contacts(client, assigned, department_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    client.force_login(department_user)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(lead)).status_code == 200
        return len(ctx.captured_queries)

    services.assignment_add_contact(
        actor=department_user, assignment=lead, date=TODAY(), way="phone", summary="电话沟通"
    )
    one = measure()
    for i in range(10):
        services.assignment_add_contact(
            actor=department_user, assignment=lead, date=TODAY(), way="phone", summary=f"第{i}次"
        )
    assert measure() == one


def test_attachment_download_for_own_department(client, assigned, department_user):
    proposal, lead, _ = assigned
    client.force_login(department_user)
    response = client.get(url(lead, f"attachments/{proposal.attachments.get().pk}/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 data"
    assert client.get(url(lead, "attachments/999999/")).status_code == 404


def test_accept_calls_the_service(client, assigned, department_user):
    proposal, lead, _ = assigned
    client.force_login(department_user)
    response = client.post(url(lead, "accept/"), follow=True)
    assert "已签收" in html(response)
    assert Assignment.objects.get(pk=lead.pk).state == "accepted"
    assert Proposal.objects.get(pk=proposal.pk).state == "in_progress"
    assert AuditEntry.objects.filter(action="assignment_accept").exists()
    # Signing twice is refused with a message, nothing changes.
    again = client.post(url(lead, "accept/"))
    assert again.status_code == 400 and "不能签收" in html(again)


def test_accept_is_post_only(client, assigned, department_user):
    _, lead, _ = assigned
    client.force_login(department_user)
    assert client.get(url(lead, "accept/")).status_code == 405
    assert Assignment.objects.get(pk=lead.pk).state == "pending"


def test_adjustment_request(client, assigned, department_user):
    _, lead, _ = assigned
    client.force_login(department_user)
    empty = client.post(url(lead, "adjust/"), {"reason": ""})
    assert empty.status_code == 400 and Assignment.objects.get(pk=lead.pk).state == "pending"
    client.post(url(lead, "adjust/"), {"reason": "该事项属于区级职责"})
    task = Assignment.objects.get(pk=lead.pk)
    assert task.state == "adjustment_requested" and task.adjustment_reason == "该事项属于区级职责"


def test_extension_request_and_past_cap_refused(client, assigned, department_user):
    _, lead, _ = assigned
    client.force_login(department_user)
    too_late = TODAY() + timedelta(days=400)
    response = client.post(url(lead, "extend/"), {"reason": "需要调研", "due_date": too_late.isoformat()})
    assert response.status_code == 400 and "延期后期限不能晚于" in html(response)
    assert 'data-testid="form-extend"' in html(response) and 'open data-testid="form-extend"' in html(
        response
    )
    assert Assignment.objects.get(pk=lead.pk).extension_state == ""
    wanted = lead.due_date + timedelta(days=20)
    client.post(url(lead, "extend/"), {"reason": "需要调研", "due_date": wanted.isoformat()})
    task = Assignment.objects.get(pk=lead.pk)
    assert (task.extension_state, task.extension_due_date, task.due_date) == (
        "pending",
        wanted,
        lead.due_date,
    )
    assert 'data-testid="form-extend"' not in html(client.get(url(lead)))  # one request at a time


def test_contact_in_the_future_is_refused(client, assigned, department_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    client.force_login(department_user)
    data = {"date": (TODAY() + timedelta(days=1)).isoformat(), "way": "phone", "summary": "电话沟通"}
    response = client.post(url(lead, "contact/"), data)
    assert response.status_code == 400 and "面商日期不能晚于今天" in html(response)
    assert not Contact.objects.exists()
    data["date"] = TODAY().isoformat()
    data["people"] = "王科长、李委员"
    client.post(url(lead, "contact/"), data)
    contact = Contact.objects.get()
    assert (contact.way, contact.people, contact.recorded_by) == ("phone", "王科长、李委员", department_user)
    assert "王科长、李委员" in html(client.get(url(lead)))


def test_reply_before_accept_is_refused(client, assigned, department_user):
    _, lead, _ = assigned
    client.force_login(department_user)
    response = client.post(url(lead, "reply/"), {"result": "A", "content": "已解决"})
    assert response.status_code == 400 and "请先签收，再答复" in html(response)
    assert not Reply.objects.exists() and Assignment.objects.get(pk=lead.pk).state == "pending"


def _ready(lead, user):
    services.assignment_accept(actor=user, assignment=lead)
    services.assignment_add_contact(actor=user, assignment=lead, date=TODAY(), way="phone", summary="沟通")


def test_reply_with_result_d_is_refused(client, assigned, department_user):
    _, lead, _ = assigned
    _ready(lead, department_user)
    client.force_login(department_user)
    response = client.post(url(lead, "reply/"), {"result": "D", "content": "已解决"})
    assert response.status_code == 400 and "答复类别只能是 A、B 或 C" in html(response)
    assert "已解决" in html(response)  # the typed text is kept
    assert not Reply.objects.exists()


def test_reply_form_shows_the_three_classes(client, assigned, department_user):
    _, lead, _ = assigned
    _ready(lead, department_user)
    client.force_login(department_user)
    body = html(client.get(url(lead)))
    for text in ("所提问题已经解决或基本解决", "已列入计划拟解决", "因条件限制暂时不能解决或留作参考"):
        assert text in body
    assert 'type="radio" name="result" value="C"' in body


def test_reply_with_an_uploaded_letter(client, assigned, department_user, co_user, other_user):
    proposal, lead, co = assigned
    _ready(lead, department_user)
    client.force_login(department_user)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    response = client.post(
        url(lead, "reply/"),
        {"result": "B", "content": "已列入明年计划。", "signer": "张局长", "letter": letter},
        follow=True,
    )
    assert "答复已提交" in html(response)
    reply = Reply.objects.get()
    assert (reply.result, reply.signer, reply.content) == ("B", "张局长", "已列入明年计划。")
    assert reply.letter.read() == b"%PDF-1.4 letter"
    assert Assignment.objects.get(pk=lead.pk).state == "replied"
    assert Proposal.objects.get(pk=proposal.pk).state == "replied"
    letter_url = url(lead, f"replies/{reply.pk}/letter/")
    assert letter_url in html(response)
    got = client.get(letter_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 letter"
    # The co-handling unit sees the lead's reply (copied to it) and its letter …
    client.force_login(co_user)
    assert "已列入明年计划。" in html(client.get(url(co)))
    assert client.get(url(co, f"replies/{reply.pk}/letter/")).status_code == 200
    # … another department sees nothing.
    client.force_login(other_user)
    assert client.get(url(lead, f"replies/{reply.pk}/letter/")).status_code == 404


def test_reply_letter_of_wrong_type_is_refused(client, assigned, department_user):
    _, lead, _ = assigned
    _ready(lead, department_user)
    client.force_login(department_user)
    letter = SimpleUploadedFile("答复函.exe", b"MZ")
    response = client.post(url(lead, "reply/"), {"result": "A", "content": "好", "letter": letter})
    assert response.status_code == 400 and "答复函只能是" in html(response)
    assert not Reply.objects.exists()


def test_co_unit_sends_its_opinion_and_the_lead_sees_it(client, assigned, department_user, co_user):
    _, lead, co = assigned
    services.assignment_accept(actor=co_user, assignment=co)
    client.force_login(co_user)
    body = html(client.get(url(co)))
    assert 'data-testid="form-co_opinion"' in body and 'data-testid="form-reply"' not in body
    client.post(url(co, "co-opinion/"), {"content": "建议增设交通信号灯。"})
    assert Assignment.objects.get(pk=co.pk).state == "replied"
    client.force_login(department_user)
    lead_page = html(client.get(url(lead)))
    assert 'data-testid="co-opinions"' in lead_page and "建议增设交通信号灯。" in lead_page


def test_lead_cannot_post_a_co_opinion(client, assigned, department_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    client.force_login(department_user)
    response = client.post(url(lead, "co-opinion/"), {"content": "意见"})
    assert response.status_code == 400 and "只有会办单位提出会办意见" in html(response)
    assert Assignment.objects.get(pk=lead.pk).co_opinion == ""


def test_assignment_shows_in_the_portal_list_with_a_link(client, assigned, department_user):
    proposal, lead, _ = assigned
    client.force_login(department_user)
    body = html(client.get("/portal/"))
    assert proposal.title in body and f'href="/portal/assignments/{lead.pk}/"' in body
    assert counts(body)["pending"] == 1


# --- the reply's rules shown before typing; nothing typed is lost --------------------------------------


def test_reply_form_is_closed_with_the_reason_until_a_contact_exists(client, assigned, department_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    client.force_login(department_user)
    body = html(client.get(url(lead)))
    assert 'data-testid="form-reply-blocked"' in body and "答复前须至少有一次面商记录" in body
    reply_form = body[body.index('data-testid="form-reply"') :]
    assert "<fieldset disabled>" in reply_form.split("</form>")[0]
    # 面商 comes first in the page order while it is what is missing.
    assert body.index('data-testid="form-contact"') < body.index('data-testid="form-reply"')
    services.assignment_add_contact(
        actor=department_user, assignment=lead, date=TODAY(), way="phone", summary="沟通"
    )
    body = html(client.get(url(lead)))
    assert 'data-testid="form-reply-blocked"' not in body
    assert "<fieldset disabled>" not in body[body.index('data-testid="form-reply"') :].split("</form>")[0]


def test_a_refused_reply_keeps_the_text_and_asks_for_the_file_again(client, assigned, department_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    client.force_login(department_user)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    response = client.post(
        url(lead, "reply/"),
        {"result": "B", "content": "已列入明年计划，分三步实施。", "signer": "张局长", "letter": letter},
    )
    body = html(response)
    assert response.status_code == 400 and "答复前须至少有一次面商记录" in body
    assert "已列入明年计划，分三步实施。" in body and 'value="张局长"' in body
    assert "所选文件没有保存：请重新选择文件后再提交" in body
    assert not Reply.objects.exists()


def _co_waiting(assigned, department_user):
    _, lead, co = assigned
    _ready(lead, department_user)
    return lead, co


def test_lead_is_warned_when_a_co_unit_has_not_given_its_opinion(client, assigned, department_user, co_user):
    lead, co = _co_waiting(assigned, department_user)
    client.force_login(department_user)
    body = html(client.get(url(lead)))
    assert 'data-testid="form-reply-warning"' in body and "市公安局交警支队尚未提交会办意见" in body
    response = client.post(url(lead, "reply/"), {"result": "A", "content": "已解决"}, follow=True)
    assert "答复已提交" in html(response) and "市公安局交警支队尚未提交会办意见" in html(response)
    assert Reply.objects.count() == 1


def test_policy_may_require_the_co_opinion_before_the_lead_replies(
    client, assigned, department_user, co_user
):
    from zhengxie.workflow.errors import TransitionNotAllowed
    from zhengxie.workflow.models import HandlingPolicy

    HandlingPolicy.objects.update_or_create(is_active=True, defaults={"require_co_opinion": True})
    lead, co = _co_waiting(assigned, department_user)
    with pytest.raises(TransitionNotAllowed, match="须收齐会办意见"):
        services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    client.force_login(department_user)
    body = html(client.get(url(lead)))
    assert 'data-testid="form-reply-blocked"' in body and "须收齐会办意见后再答复" in body
    response = client.post(url(lead, "reply/"), {"result": "A", "content": "已解决"})
    assert response.status_code == 400 and not Reply.objects.exists()
    services.assignment_accept(actor=co_user, assignment=co)
    services.assignment_co_opinion(actor=co_user, assignment=co, content="同意。")
    assert "form-reply-blocked" not in html(client.get(url(lead)))
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    assert Reply.objects.count() == 1


# --- the member who rates a reply can open its letter -------------------------------------------------


def test_the_reply_letter_is_linked_for_the_member_and_in_the_api(
    client,
    api,
    assigned,
    department_user,
    co_user,
    other_user,
    member,
    other_member,
    make_member,
    staff_user,
    leader_user,
):
    proposal, lead, co = assigned
    _ready(lead, department_user)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    reply = services.assignment_reply(
        actor=department_user, assignment=lead, result="A", content="已解决。", letter=letter
    )
    page_url = f"/proposals/{proposal.pk}/replies/{reply.pk}/letter/"
    client.force_login(member.user)
    body = html(client.get(f"/proposals/{proposal.pk}/"))
    assert page_url in body and "下载答复函" in body
    for user in (member.user, other_member.user, staff_user, leader_user, department_user, co_user):
        client.force_login(user)
        got = client.get(page_url)
        assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 signed"
    stranger = make_member("钱委员")
    for user in (stranger.user, other_user):
        client.force_login(user)
        assert client.get(page_url).status_code == 404

    data = api(member.user).get(f"/api/v1/proposals/{proposal.pk}/").json()
    letter_url = next(a["reply"]["letter_url"] for a in data["assignments"] if a["role"] == "lead")
    assert letter_url.endswith(f"/api/v1/replies/{reply.pk}/letter/")
    got = api(member.user).get(letter_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 signed"
    assert api(other_member.user).get(letter_url).status_code == 200
    assert api(co_user).get(letter_url).status_code == 200
    assert api(stranger.user).get(letter_url).status_code == 404
    assert api(other_user).get(letter_url).status_code == 404
    assert api().get(letter_url).status_code in (401, 403)
    task = api(department_user).get(f"/api/v1/assignments/{lead.pk}/").json()
    assert task["replies"][0]["letter_url"].endswith(f"/api/v1/replies/{reply.pk}/letter/")


def test_api_reply_warns_or_refuses_without_the_co_opinion(api, assigned, department_user, co_user):
    from zhengxie.workflow.models import HandlingPolicy

    lead, co = _co_waiting(assigned, department_user)
    HandlingPolicy.objects.update_or_create(is_active=True, defaults={"require_co_opinion": True})
    client = api(department_user)
    refused = client.post(f"/api/v1/assignments/{lead.pk}/reply/", {"result": "A", "content": "已解决"})
    assert refused.status_code == 400 and "须收齐会办意见" in refused.json()["detail"]
    HandlingPolicy.objects.filter(is_active=True).update(require_co_opinion=False)
    response = client.post(f"/api/v1/assignments/{lead.pk}/reply/", {"result": "A", "content": "已解决"})
    assert response.status_code == 200
    assert "市公安局交警支队尚未提交会办意见" in response.json()["warning"]


@pytest.mark.django_db
def test_login_account_row_shows_the_username(client, department_user):
    client.force_login(department_user)
    body = client.get("/portal/").content.decode()
    assert 'data-testid="portal-username">dept1<' in body
