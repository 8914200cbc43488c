"""表决 in a real browser: a present member votes on a phone (big button, then 确认投票), the hall's
projector page counts the ballot without a reload and shows the result once staff close the vote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from consultations import services, voting
from consultations.models import Meeting, VoterMark
from members.models import Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests
from .test_consultations_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_member_votes_on_phone_and_projector_shows_result(browser, live_server, tmp_path):  # noqa: F811
    sector = Sector.objects.create(name="经济界", order=1)
    voter = Member.objects.create(
        user=make_user("toupiao", Role.MEMBER, name="投票委员"), name="投票委员", sector=sector
    )
    other = Member.objects.create(
        user=make_user("qita", Role.MEMBER, name="其他委员"), name="其他委员", sector=sector
    )
    staff = make_user("clerk", Role.STAFF, name="张干事")
    meeting = services.meeting_create(
        actor=staff,
        title="常委会会议",
        type="forum",
        start=timezone.now() + timedelta(days=1),
        place="x",
        invitees=[voter, other],
    )
    start = timezone.now() - timedelta(minutes=10)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    meeting.refresh_from_db()
    for member in (voter, other):
        services.meeting_record_attendance(actor=staff, meeting=meeting, member=member, status="present")
    vote = voting.vote_create(actor=staff, meeting=meeting, title="关于工作要点的决议", kind="resolution")
    voting.vote_open(actor=staff, vote=vote)
    base = live_server.url

    staff_ctx, screen = _login(browser, live_server, "clerk", {"width": 1280, "height": 800})
    screen.goto(f"{base}/workbench/consultations/votes/{vote.pk}/screen/")
    screen.get_by_test_id("screen-count").get_by_text("已投票 0 人").wait_for()

    member_ctx, phone = _login(browser, live_server, "toupiao", PHONE_VIEWPORT)
    phone.goto(f"{base}/meetings/{meeting.pk}/")
    phone.get_by_test_id("member-vote-link").click()
    phone.get_by_role("button", name="赞成").click()
    phone.get_by_test_id("vote-confirm").get_by_text("赞成").wait_for()
    assert not VoterMark.objects.exists()
    phone.get_by_role("button", name="确认投票").click()
    phone.get_by_test_id("voted").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    phone.screenshot(path=str(tmp_path / "vote-phone.png"), full_page=True)

    # The projector refreshes itself (htmx) to the new count, without showing how anyone voted.
    screen.get_by_test_id("screen-count").get_by_text("已投票 1 人").wait_for(timeout=10_000)
    assert screen.get_by_test_id("screen-result").count() == 0
    voting.vote_close(actor=staff, vote=vote)
    screen.reload()
    screen.get_by_test_id("screen-result").get_by_text("赞成 1").wait_for()
    # 1 of 2 invitees is not more than half of all: not passed.
    screen.get_by_test_id("screen-result").get_by_text("未通过").wait_for()
    assert not external_requests(phone.requested_urls, base)
    member_ctx.close()
    staff_ctx.close()
