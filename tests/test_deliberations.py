"""网络议政: services (window, participation, moderation, summary → topic outcome → duty), the API per role,
pages, reminders, scoring caps, statistics, the DOCX read back and constant query counts."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document

from conftest import make_user
from consultations import services as consultation_services
from consultations.models import Outcome, Topic
from deliberations import selectors, services
from deliberations.models import Deliberation, Endorsement, Post, Suggestion
from members import scoring
from members.models import DutyRecord, Member
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry, TransitionLog

pytestmark = pytest.mark.django_db
API = "/api/v1"
K = DutyRecord.Kind


def hours(n):
    return timezone.now() + timedelta(hours=n)


def make_open(staff_user, members, *, departments=(), topic=None, title="优化营商环境网络议政"):
    return services.deliberation_create(
        actor=staff_user,
        title=title,
        description="请围绕营商环境建言",
        topic=topic,
        opens_at=hours(-1),
        closes_at=hours(48),
        participants=members,
        departments=departments,
    )


def expire(deliberation):
    """As if the window had passed (without going through the services)."""
    Deliberation.objects.filter(pk=deliberation.pk).update(opens_at=hours(-50), closes_at=hours(-1))
    deliberation.refresh_from_db()
    return deliberation


@pytest.fixture
def outsider(make_member):
    return make_member("局外委员")


@pytest.fixture
def deliberation(staff_user, member, other_member, department):
    return make_open(staff_user, [member, other_member], departments=[department])


@pytest.fixture
def topic(staff_user):
    plan = consultation_services.plan_create(actor=staff_user, year=2026)
    consultation_services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    return consultation_services.topic_create(
        actor=staff_user, plan=plan, title="优化营商环境", type="remote", planned_month=5
    )


# --- services ----------------------------------------------------------------------------------------


def test_create_defaults_to_every_serving_member_and_logs(staff_user, member, other_member, make_member):
    make_member("已离任", status=Member.Status.RESIGNED)
    d = services.deliberation_create(actor=staff_user, title="主题", opens_at=hours(1), closes_at=hours(30))
    assert set(d.participants.values_list("pk", flat=True)) == {member.pk, other_member.pk}
    assert d.phase() == Deliberation.State.SCHEDULED
    assert AuditEntry.objects.filter(action="deliberation_create", object_id=str(d.pk)).exists()
    assert TransitionLog.objects.filter(object_id=d.pk, to_state="scheduled").exists()


def test_create_rules(staff_user, member_user, member):
    with pytest.raises(PermissionDenied):
        services.deliberation_create(actor=member_user, title="x", opens_at=hours(1), closes_at=hours(2))
    with pytest.raises(InvalidInput, match="晚于"):
        services.deliberation_create(actor=staff_user, title="x", opens_at=hours(2), closes_at=hours(1))
    with pytest.raises(InvalidInput, match="主题"):
        services.deliberation_create(actor=staff_user, title=" ", opens_at=hours(1), closes_at=hours(2))


def test_post_earns_duty_and_window_is_enforced(staff_user, deliberation, member, member_user):
    post = services.post_create(actor=member_user, deliberation=deliberation, content="第一段\n\n第二段")
    record = DutyRecord.objects.get(member=member, kind=K.ONLINE_DELIBERATION)
    assert record.object_id == post.pk and record.status == DutyRecord.Status.CONFIRMED
    assert AuditEntry.objects.filter(action="deliberation_post", object_id=str(post.pk)).exists()
    with pytest.raises(InvalidInput, match="不能超过"):
        services.post_create(actor=member_user, deliberation=deliberation, content="字" * 3001)
    Deliberation.objects.filter(pk=deliberation.pk).update(opens_at=hours(2), closes_at=hours(5))
    deliberation.refresh_from_db()
    with pytest.raises(InvalidInput, match="尚未开始"):
        services.post_create(actor=member_user, deliberation=deliberation, content="早了")
    expire(deliberation)
    with pytest.raises(InvalidInput, match="已结束"):
        services.post_create(actor=member_user, deliberation=deliberation, content="晚了")


def test_only_participants_post_and_departments_post_as_the_department(
    deliberation, outsider, staff_user, department_user, department, other_department
):
    with pytest.raises(PermissionDenied):
        services.post_create(actor=outsider.user, deliberation=deliberation, content="我也说")
    with pytest.raises(PermissionDenied):
        services.post_create(actor=staff_user, deliberation=deliberation, content="工作人员")
    reply = services.post_create(actor=department_user, deliberation=deliberation, content="我局答复")
    assert reply.department == department and reply.member is None
    assert reply.author_label == department.name
    assert not DutyRecord.objects.filter(kind=K.ONLINE_DELIBERATION).exists()
    stranger = make_user("dept_other", Role.DEPARTMENT, department=other_department)
    with pytest.raises(PermissionDenied):
        services.post_create(actor=stranger, deliberation=deliberation, content="不相干")


def test_early_close_stops_posting(deliberation, staff_user, member_user):
    services.deliberation_close(actor=staff_user, deliberation=deliberation)
    deliberation.refresh_from_db()
    assert deliberation.phase() == "closed" and deliberation.closed_at is not None
    with pytest.raises(InvalidInput, match="已结束"):
        services.post_create(actor=member_user, deliberation=deliberation, content="晚了")
    with pytest.raises(TransitionNotAllowed):
        services.deliberation_close(actor=staff_user, deliberation=deliberation)


def test_replies_stay_one_level_deep(deliberation, member_user, other_member):
    root = services.post_create(actor=member_user, deliberation=deliberation, content="主帖")
    reply = services.post_create(
        actor=other_member.user, deliberation=deliberation, content="回复", reply_to=root
    )
    again = services.post_create(
        actor=member_user, deliberation=deliberation, content="再回复", reply_to=reply
    )
    assert reply.reply_to == root and again.reply_to == root
    threads = selectors.thread(selectors.posts_for(member_user, deliberation))
    assert [(p.pk, [r.pk for r in rs]) for p, rs in threads] == [(root.pk, [reply.pk, again.pk])]


def test_endorse_once_not_own(deliberation, member_user, other_member):
    post = services.post_create(actor=member_user, deliberation=deliberation, content="建议")
    with pytest.raises(InvalidInput, match="自己"):
        services.post_endorse(actor=member_user, post=post)
    services.post_endorse(actor=other_member.user, post=post)
    with pytest.raises(InvalidInput, match="已赞同"):
        services.post_endorse(actor=other_member.user, post=post)
    assert Endorsement.objects.filter(post=post).count() == 1


def test_hide_with_reason_author_sees_why_others_do_not_see_it(
    deliberation, staff_user, member_user, other_member, leader_user
):
    post = services.post_create(actor=member_user, deliberation=deliberation, content="不当言论")
    with pytest.raises(PermissionDenied):
        services.post_hide(actor=member_user, post=post, reason="x")
    with pytest.raises(InvalidInput, match="原因"):
        services.post_hide(actor=staff_user, post=post, reason=" ")
    services.post_hide(actor=staff_user, post=post, reason="与主题无关")
    mine = selectors.posts_for(member_user, deliberation).get()
    assert mine.hidden and mine.hidden_reason == "与主题无关"
    assert not selectors.posts_for(other_member.user, deliberation).exists()
    assert selectors.posts_for(leader_user, deliberation).count() == 1
    assert AuditEntry.objects.filter(action="deliberation_post_hide", object_id=str(post.pk)).exists()
    with pytest.raises(InvalidInput):
        services.post_endorse(actor=other_member.user, post=post)


def test_pinned_posts_come_first(deliberation, staff_user, member_user):
    first = services.post_create(actor=member_user, deliberation=deliberation, content="一")
    second = services.post_create(actor=member_user, deliberation=deliberation, content="二")
    services.post_pin(actor=staff_user, post=second)
    threads = selectors.thread(selectors.posts_for(member_user, deliberation))
    assert [p.pk for p, _ in threads] == [second.pk, first.pk]


def test_summary_numbers_suggestions_counts_into_topic_and_earns_adopted_duty(
    staff_user, member, other_member, topic, department_user, department
):
    d = make_open(staff_user, [member, other_member], departments=[department], topic=topic)
    a = services.post_create(actor=member.user, deliberation=d, content="建议一")
    b = services.post_create(actor=other_member.user, deliberation=d, content="建议二")
    c = services.post_create(actor=department_user, deliberation=d, content="单位答复")
    hidden = services.post_create(actor=member.user, deliberation=d, content="无关")
    services.post_hide(actor=staff_user, post=hidden, reason="无关")
    with pytest.raises(TransitionNotAllowed, match="结束后"):
        services.deliberation_summarize(actor=staff_user, deliberation=d, suggestions=[{"content": "x"}])
    expire(d)
    with pytest.raises(InvalidInput, match="屏蔽"):
        services.deliberation_summarize(
            actor=staff_user, deliberation=d, suggestions=[{"content": "x", "posts": [hidden.pk]}]
        )
    with pytest.raises(PermissionDenied):
        services.deliberation_summarize(actor=member.user, deliberation=d, suggestions=[{"content": "x"}])
    services.deliberation_summarize(
        actor=staff_user,
        deliberation=d,
        summary="委员踊跃发言。",
        suggestions=[
            {"content": "简化审批", "posts": [a.pk, c.pk]},
            {"content": "加强服务", "posts": [a.pk, b.pk]},
            {"content": "完善机制", "posts": []},
        ],
    )
    d.refresh_from_db()
    assert d.phase() == "summarized"
    assert list(Suggestion.objects.filter(deliberation=d).values_list("number", "content")) == [
        (1, "简化审批"),
        (2, "加强服务"),
        (3, "完善机制"),
    ]
    assert Outcome.objects.get(topic=topic).suggestion_count == 3
    adopted = DutyRecord.objects.filter(kind=K.ONLINE_DELIBERATION_ADOPTED)
    assert sorted(adopted.values_list("member_id", "object_id")) == sorted(
        [(member.pk, a.pk), (other_member.pk, b.pk)]
    )
    assert AuditEntry.objects.filter(action="deliberation_summarize", object_id=str(d.pk)).exists()
    assert AuditEntry.objects.filter(action="consultation_outcome_add_suggestions").exists()
    with pytest.raises(TransitionNotAllowed, match="已形成"):
        services.deliberation_summarize(actor=staff_user, deliberation=d, suggestions=[{"content": "x"}])


def test_topic_outcome_submitted_later_adds_its_own_count(staff_user, member, topic):
    d = make_open(staff_user, [member], topic=topic)
    post = services.post_create(actor=member.user, deliberation=d, content="建议")
    expire(d)
    services.deliberation_summarize(
        actor=staff_user,
        deliberation=d,
        suggestions=[{"content": "一", "posts": [post.pk]}, {"content": "二"}],
    )
    Topic.objects.filter(pk=topic.pk).update(state=Topic.State.HELD)
    topic.refresh_from_db()
    consultation_services.topic_submit_outcome(
        actor=staff_user, topic=topic, content="专报", suggestion_count=5, submitted_to="市委"
    )
    outcome = Outcome.objects.get(topic=topic)
    assert outcome.suggestion_count == 7 and outcome.submitted_by == staff_user
    topic.refresh_from_db()
    assert topic.state == Topic.State.OUTCOME_SUBMITTED


def test_attachment_is_content_checked(deliberation, member_user):
    bad = SimpleUploadedFile("run.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(InvalidInput, match="不支持"):
        services.post_create(actor=member_user, deliberation=deliberation, content="附件", attachment=bad)
    good = SimpleUploadedFile("建议.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    post = services.post_create(actor=member_user, deliberation=deliberation, content="附件", attachment=good)
    assert post.attachment.name.endswith(".pdf")


# --- scoring, statistics, reminders ------------------------------------------------------------------


def test_scoring_rules_with_caps(staff_user, member, make_member):
    lone = make_member("孤")
    d = make_open(staff_user, [member, lone])
    posts = [services.post_create(actor=member.user, deliberation=d, content=f"第{i}条") for i in range(8)]
    expire(d)
    services.deliberation_summarize(
        actor=staff_user, deliberation=d, suggestions=[{"content": "综合", "posts": [p.pk for p in posts]}]
    )
    rules = {(r.kind, r.detail): r for r in scoring.default_scheme(2000).rules}
    assert rules[(K.ONLINE_DELIBERATION, "")].cap == Decimal("5")
    assert rules[(K.ONLINE_DELIBERATION_ADOPTED, "")].cap == Decimal("10")
    row = {r.member_id: r for r in scoring.year_scores(timezone.localdate().year)}[member.pk]
    # 8 posts × 1 capped at 5 (activity); 8 adopted × 2 capped at 10 (bonus).
    assert row.total == Decimal("15")


def test_year_stats(staff_user, member, other_member):
    d = make_open(staff_user, [member, other_member])
    services.post_create(actor=member.user, deliberation=d, content="一")
    services.post_create(actor=member.user, deliberation=d, content="二")
    p = services.post_create(actor=other_member.user, deliberation=d, content="三")
    expire(d)
    services.deliberation_summarize(
        actor=staff_user, deliberation=d, suggestions=[{"content": "x", "posts": [p.pk]}]
    )
    year = timezone.localtime(d.opens_at).year
    assert selectors.year_stats(year) == {"count": 1, "posts": 3, "participants": 2, "suggestions": 1}
    assert selectors.year_stats(year - 1)["count"] == 0
    from proposals.year_figures import year_figures

    assert year_figures(year)["deliberations"] == {
        "count": 1,
        "posts": 3,
        "participants": 2,
        "suggestions": 1,
    }


def test_reminders_when_it_opens_and_a_day_before_it_closes(
    staff_user, member, other_member, department_user, department
):
    today = timezone.localdate()
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time())) + timedelta(
        hours=9
    )
    d = services.deliberation_create(
        actor=staff_user,
        title="提醒测试",
        opens_at=start,
        closes_at=start + timedelta(days=1),
        participants=[member],
        departments=[department],
    )
    call_command("scan_deadlines", "--today", today.isoformat())
    titles = sorted(Notification.objects.values_list("recipient__username", "title"))
    assert ("member1", "网络议政开始：提醒测试") in titles
    assert ("dept1", "网络议政开始：提醒测试") in titles
    assert ("member1", "网络议政明日结束：提醒测试") in titles
    assert not Notification.objects.filter(recipient=other_member.user).exists()
    count = Notification.objects.count()
    call_command("scan_deadlines", "--today", today.isoformat())
    assert Notification.objects.count() == count
    # Closed early: no closing reminder.
    d2 = make_open(staff_user, [member], title="已提前结束")
    Deliberation.objects.filter(pk=d2.pk).update(closes_at=start + timedelta(days=2))
    services.deliberation_close(actor=staff_user, deliberation=d2)
    call_command("scan_deadlines", "--today", (today + timedelta(days=1)).isoformat())
    assert not Notification.objects.filter(title__contains="已提前结束").exists()
    assert d.pk


# --- API ---------------------------------------------------------------------------------------------


def create_payload(**extra):
    return {
        "title": "网络议政",
        "opens_at": hours(-1).isoformat(),
        "closes_at": hours(24).isoformat(),
        **extra,
    }


@pytest.mark.parametrize("fixture", ["member_user", "department_user", "leader_user"])
def test_api_create_is_staff_only(api, request, fixture, member):
    response = api(request.getfixturevalue(fixture)).post(f"{API}/deliberations/", create_payload())
    assert response.status_code == 403


def test_api_create_and_read(api, staff_user, member, other_member, department):
    response = api(staff_user).post(
        f"{API}/deliberations/", create_payload(participants=[member.pk], departments=[department.pk])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and body["participant_count"] == 1 and body["post_count"] == 0
    assert body["departments"] == [department.pk] and body["suggestions"] == []
    bad = api(staff_user).post(f"{API}/deliberations/", create_payload(closes_at=hours(-2).isoformat()))
    assert bad.status_code == 400 and "detail" in bad.json()


def test_api_visibility_404_for_non_participants(api, deliberation, outsider, other_department, leader_user):
    pk = deliberation.pk
    assert api(outsider.user).get(f"{API}/deliberations/{pk}/").status_code == 404
    assert api(outsider.user).get(f"{API}/deliberations/").json()["count"] == 0
    assert api(outsider.user).get(f"{API}/deliberations/{pk}/posts/").status_code == 404
    r = api(outsider.user).post(f"{API}/deliberations/{pk}/posts/", {"content": "x"})
    assert r.status_code == 404
    stranger = make_user("dept_other", Role.DEPARTMENT, department=other_department)
    assert api(stranger).post(f"{API}/deliberations/{pk}/posts/", {"content": "x"}).status_code == 404
    assert api(leader_user).get(f"{API}/deliberations/{pk}/").status_code == 200
    assert api(leader_user).post(f"{API}/deliberations/{pk}/posts/", {"content": "x"}).status_code == 403
    assert api().get(f"{API}/deliberations/").status_code in (401, 403)


def test_api_post_reply_endorse_hide(
    api, deliberation, member_user, other_member, department_user, staff_user, outsider
):
    pk = deliberation.pk
    r = api(member_user).post(f"{API}/deliberations/{pk}/posts/", {"content": "建议一"})
    assert r.status_code == 201, r.content
    post = r.json()
    assert post["author"] == "李委员" and post["endorse_count"] == 0
    r = api(department_user).post(
        f"{API}/deliberations/{pk}/posts/", {"content": "我局答复", "reply_to": post["id"]}
    )
    assert r.status_code == 201 and r.json()["author"] == "市教育局" and r.json()["reply_to"] == post["id"]
    r = api(other_member.user).post(f"{API}/posts/{post['id']}/endorse/")
    assert r.status_code == 200 and r.json()["endorse_count"] == 1 and r.json()["endorsed"] is True
    assert api(other_member.user).post(f"{API}/posts/{post['id']}/endorse/").status_code == 400
    assert api(outsider.user).post(f"{API}/posts/{post['id']}/endorse/").status_code == 404
    assert api(staff_user).post(f"{API}/posts/{post['id']}/endorse/").status_code == 403
    # hide: staff only; a non-participant cannot even find the post
    assert api(member_user).post(f"{API}/posts/{post['id']}/hide/", {"reason": "x"}).status_code == 403
    assert api(outsider.user).post(f"{API}/posts/{post['id']}/hide/", {"reason": "x"}).status_code == 404
    assert api(staff_user).post(f"{API}/posts/{post['id']}/hide/", {}).status_code == 400
    r = api(staff_user).post(f"{API}/posts/{post['id']}/hide/", {"reason": "重复"})
    assert r.status_code == 200 and r.json()["hidden"] is True
    own = api(member_user).get(f"{API}/deliberations/{pk}/posts/").json()["results"]
    assert [(p["id"], p["hidden_reason"]) for p in own if p["hidden"]] == [(post["id"], "重复")]
    theirs = api(other_member.user).get(f"{API}/deliberations/{pk}/posts/").json()["results"]
    assert post["id"] not in [p["id"] for p in theirs]
    # polling: only posts after a given id
    later = api(member_user).post(f"{API}/deliberations/{pk}/posts/", {"content": "建议二"}).json()
    after = api(member_user).get(f"{API}/deliberations/{pk}/posts/?after={post['id']}").json()["results"]
    assert later["id"] in [p["id"] for p in after] and post["id"] not in [p["id"] for p in after]
    assert api(member_user).post(f"{API}/posts/{later['id']}/pin/", {}).status_code == 403
    assert api(staff_user).post(f"{API}/posts/{later['id']}/pin/", {}).json()["pinned"] is True


def test_api_window_400(api, staff_user, member, member_user):
    d = services.deliberation_create(
        actor=staff_user, title="未开始", opens_at=hours(2), closes_at=hours(5), participants=[member]
    )
    r = api(member_user).post(f"{API}/deliberations/{d.pk}/posts/", {"content": "早了"})
    assert r.status_code == 400 and "尚未开始" in r.json()["detail"]
    expire(d)
    assert api(member_user).get(f"{API}/deliberations/{d.pk}/").json()["state"] == "closed"
    r = api(member_user).post(f"{API}/deliberations/{d.pk}/posts/", {"content": "晚了"})
    assert r.status_code == 400


def test_api_close_summarize_export(api, staff_user, member, member_user, leader_user, topic, outsider):
    d = make_open(staff_user, [member], topic=topic)
    post = api(member_user).post(f"{API}/deliberations/{d.pk}/posts/", {"content": "简化审批流程"}).json()
    assert api(member_user).post(f"{API}/deliberations/{d.pk}/close/").status_code == 403
    assert api(outsider.user).post(f"{API}/deliberations/{d.pk}/close/").status_code == 404
    body = {"suggestions": [{"content": "推行一网通办", "posts": [post["id"]]}, {"content": "压缩时限"}]}
    r = api(staff_user).post(f"{API}/deliberations/{d.pk}/summarize/", body)
    assert r.status_code == 400  # still open
    assert api(staff_user).post(f"{API}/deliberations/{d.pk}/close/").json()["state"] == "closed"
    assert api(member_user).post(f"{API}/deliberations/{d.pk}/summarize/", body).status_code == 403
    assert api(leader_user).post(f"{API}/deliberations/{d.pk}/summarize/", body).status_code == 403
    r = api(staff_user).post(f"{API}/deliberations/{d.pk}/summarize/", body)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "summarized"
    assert data["suggestions"] == [
        {"number": 1, "content": "推行一网通办", "posts": [post["id"]]},
        {"number": 2, "content": "压缩时限", "posts": []},
    ]
    assert api(staff_user).get(f"{API}/topics/{topic.pk}/").json()["outcome"]["suggestion_count"] == 2
    assert DutyRecord.objects.filter(member=member, kind=K.ONLINE_DELIBERATION_ADOPTED).count() == 1
    assert api(member_user).get(f"{API}/deliberations/{d.pk}/export/").status_code == 403
    r = api(leader_user).get(f"{API}/deliberations/{d.pk}/export/")
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "成果专报（草稿）" in text and "网络议政" in text
    assert "一、推行一网通办" in text and "二、压缩时限" in text
    assert "（据李委员的发言整理）" in text
    assert "共收到发言1条，经梳理形成建议2条" in text


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_api_lists_constant_queries(api, staff_user, member, other_member, make_member):
    members = [member, other_member]
    first = make_open(staff_user, members)
    services.post_create(actor=member.user, deliberation=first, content="一")
    done = make_open(
        staff_user, members, title="已形成成果"
    )  # so the suggestions' prefetch runs at 1 row too
    expire(done)
    services.deliberation_summarize(actor=staff_user, deliberation=done, suggestions=[{"content": "a"}])
    client = api(member.user)
    few_list = _queries(client, f"{API}/deliberations/")
    few_posts = _queries(client, f"{API}/deliberations/{first.pk}/posts/")
    for i in range(4):
        d = make_open(staff_user, members, title=f"主题{i}")
        services.post_create(actor=member.user, deliberation=d, content="x")
        expire(d)
        services.deliberation_summarize(
            actor=staff_user, deliberation=d, suggestions=[{"content": "a"}, {"content": "b"}]
        )
    for i in range(8):
        author = other_member if i % 2 else member
        post = services.post_create(actor=author.user, deliberation=first, content=f"第{i}条")
        if i % 2:
            services.post_endorse(actor=member.user, post=post)
    assert _queries(client, f"{API}/deliberations/") == few_list
    assert _queries(client, f"{API}/deliberations/{first.pk}/posts/") == few_posts


# --- pages -------------------------------------------------------------------------------------------


def test_pages_roles(client, deliberation, member_user, outsider, staff_user, leader_user, department_user):
    pk = deliberation.pk
    client.force_login(outsider.user)
    assert client.get(f"/deliberations/{pk}/").status_code == 404
    assert client.get(f"/deliberations/{pk}/posts/").status_code == 404
    assert client.get(f"/workbench/deliberations/{pk}/").status_code == 403
    assert client.get("/workbench/deliberations/").status_code == 403
    client.force_login(member_user)
    assert client.get(f"/deliberations/{pk}/").status_code == 200
    assert client.post(f"/workbench/deliberations/{pk}/close/").status_code == 403
    client.force_login(department_user)
    assert client.get(f"/deliberations/{pk}/").status_code == 200
    client.force_login(leader_user)
    assert client.get(f"/workbench/deliberations/{pk}/").status_code == 200
    assert client.post(f"/workbench/deliberations/{pk}/close/").status_code == 403
    assert client.post("/workbench/deliberations/", {"title": "x"}).status_code == 403
    assert client.get(f"/deliberations/{pk}/").status_code == 403
    client.force_login(staff_user)
    assert client.get(f"/deliberations/{pk}/").status_code == 403


def test_pages_whole_cycle(client, staff_user, member, other_member, member_user):
    client.force_login(staff_user)
    opens, closes = timezone.localtime(hours(-1)), timezone.localtime(hours(24))
    response = client.post(
        "/workbench/deliberations/",
        {
            "title": "城市更新网络议政",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    d = Deliberation.objects.get()
    assert response.status_code == 302 and d.participants.count() == 2
    client.force_login(member_user)
    page = client.get(f"/deliberations/{d.pk}/").content.decode()
    assert 'hx-trigger="every 5s"' in page and "发表" in page
    response = client.post(f"/deliberations/{d.pk}/post/", {"content": "加快老旧小区改造"}, follow=True)
    assert "发言已发表" in response.content.decode()
    post = Post.objects.get()
    client.force_login(other_member.user)
    fragment = client.get(f"/deliberations/{d.pk}/posts/").content.decode()
    assert "加快老旧小区改造" in fragment and "<html" not in fragment
    fragment = client.post(
        f"/deliberations/posts/{post.pk}/endorse/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "已赞同 1" in fragment
    again = client.post(f"/deliberations/posts/{post.pk}/endorse/", HTTP_HX_REQUEST="true").content.decode()
    assert "已赞同过" in again
    client.force_login(staff_user)
    client.post(f"/workbench/deliberations/posts/{post.pk}/pin/")
    assert Post.objects.get().pinned
    client.post(f"/workbench/deliberations/{d.pk}/close/")
    response = client.post(
        f"/workbench/deliberations/{d.pk}/summarize/",
        {"summary": "委员建议", "suggestions": f"加快改造进度【{post.pk}】\n\n完善长效管理"},
        follow=True,
    )
    assert "已形成议政成果" in response.content.decode()
    assert list(Suggestion.objects.values_list("number", "content")) == [
        (1, "加快改造进度"),
        (2, "完善长效管理"),
    ]
    assert list(Suggestion.objects.get(number=1).posts.all()) == [post]
    docx = client.get(f"/workbench/deliberations/{d.pk}/summary.docx")
    assert "一、加快改造进度" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    client.force_login(member_user)
    assert "完善长效管理" in client.get(f"/deliberations/{d.pk}/").content.decode()


def test_hidden_post_author_sees_reason_on_the_page(
    client, deliberation, staff_user, member_user, other_member
):
    post = services.post_create(actor=member_user, deliberation=deliberation, content="离题内容")
    services.post_hide(actor=staff_user, post=post, reason="偏离主题")
    client.force_login(member_user)
    assert "该发言已被屏蔽：偏离主题" in client.get(f"/deliberations/{deliberation.pk}/").content.decode()
    client.force_login(other_member.user)
    assert "离题内容" not in client.get(f"/deliberations/{deliberation.pk}/").content.decode()


def test_pages_constant_queries(client, staff_user, member, other_member):
    d = make_open(staff_user, [member, other_member])
    services.post_create(actor=member.user, deliberation=d, content="一")
    client.force_login(other_member.user)
    thread_few = _queries(client, f"/deliberations/{d.pk}/")
    fragment_few = _queries(client, f"/deliberations/{d.pk}/posts/")
    list_few = _queries(client, "/deliberations/")
    client.force_login(staff_user)
    staff_few = _queries(client, f"/workbench/deliberations/{d.pk}/")
    staff_list_few = _queries(client, "/workbench/deliberations/")
    root = Post.objects.get()
    for i in range(8):
        author = member if i % 2 else other_member
        services.post_create(
            actor=author.user, deliberation=d, content=f"第{i}条", reply_to=root if i % 3 == 0 else None
        )
    for i in range(3):
        make_open(staff_user, [member, other_member], title=f"其他{i}")
    client.force_login(other_member.user)
    assert _queries(client, f"/deliberations/{d.pk}/") == thread_few
    assert _queries(client, f"/deliberations/{d.pk}/posts/") == fragment_few
    assert _queries(client, "/deliberations/") == list_few
    client.force_login(staff_user)
    assert _queries(client, f"/workbench/deliberations/{d.pk}/") == staff_few
    assert _queries(client, "/workbench/deliberations/") == staff_list_few


def test_duty_archive_links_to_the_post(client, deliberation, member_user):
    services.post_create(actor=member_user, deliberation=deliberation, content="建议")
    client.force_login(member_user)
    post = Post.objects.get()
    response = client.get(f"/deliberations/posts/{post.pk}/")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/deliberations/{deliberation.pk}/#post-{post.pk}"
    )


def test_templates_have_nothing_inline_for_the_csp():
    from pathlib import Path

    from django.conf import settings

    from tests.test_csp import inline_problems

    folder = Path(settings.BASE_DIR) / "deliberations" / "templates"
    found = {p.name: inline_problems(p.read_text(encoding="utf-8")) for p in folder.rglob("*.html")}
    assert len(found) >= 6 and not any(found.values()), found


def test_demo_seed_is_idempotent():
    from deliberations.demo import seed_deliberations_demo
    from members.demo import seed_roster

    seed_roster()
    assert seed_deliberations_demo() == 2
    assert seed_deliberations_demo() == 0
    states = sorted(d.phase() for d in Deliberation.objects.all())
    assert states == ["open", "summarized"]
    assert Suggestion.objects.count() == 3


def test_lists_are_paged(client, staff_user, member, member_user):
    """Both lists page 50 rows: they showed every 网络议政 ever held on every view."""
    from deliberations.views import PER_PAGE

    made = Deliberation.objects.bulk_create(
        Deliberation(
            title=f"议政{i:03d}", opens_at=hours(-100 - i), closes_at=hours(-99 - i), created_by=staff_user
        )
        for i in range(PER_PAGE + 1)
    )
    Deliberation.participants.through.objects.bulk_create(
        Deliberation.participants.through(deliberation_id=d.pk, member_id=member.pk) for d in made
    )
    for user, url in ((staff_user, "/workbench/deliberations/"), (member_user, "/deliberations/")):
        client.force_login(user)
        first, second = client.get(url).content.decode(), client.get(url, {"page": "2"}).content.decode()
        assert first.count("议政0") == PER_PAGE and "议政000" in first and "第 1 / 2 页" in first
        assert second.count("议政0") == 1 and "议政050" in second
        assert "第 1 / 2 页" in client.get(url, {"page": "abc\x00"}).content.decode()
        assert "第 2 / 2 页" in client.get(url, {"page": "99999"}).content.decode()


def test_the_forms_offer_only_recent_plans_topics(client, staff_user):
    """A new 网络议政 or meeting names a topic of this year's, last year's or a later plan; an older one is
    not offered, and posting it anyway is refused with a message and creates nothing."""
    from consultations.forms import MeetingForm
    from consultations.models import Topic

    this_year = timezone.localdate().year
    topics = {}
    for year in (this_year - 2, this_year - 1, this_year, this_year + 1):
        plan = consultation_services.plan_create(actor=staff_user, year=year)
        topics[year] = consultation_services.topic_create(
            actor=staff_user, plan=plan, title=f"{year}年议题", type="remote", planned_month=5
        )
    Topic.objects.update(state=Topic.State.APPROVED)
    recent = {topics[y] for y in (this_year - 1, this_year, this_year + 1)}
    assert set(MeetingForm().fields["topic"].queryset) == recent
    client.force_login(staff_user)
    page = client.get("/workbench/deliberations/").content.decode()
    assert all(f"{y}年议题" in page for y in (this_year - 1, this_year, this_year + 1))
    assert f"{this_year - 2}年议题" not in page
    opens, closes = timezone.localtime(hours(1)), timezone.localtime(hours(24))
    response = client.post(
        "/workbench/deliberations/",
        {
            "title": "旧议题议政",
            "topic": topics[this_year - 2].pk,
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "选择一个有效的选项" in response.content.decode() and not Deliberation.objects.exists()
