"""Duty records link back to the work that earned them, for the apps above members."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Meeting
from members.selectors import duty_source_link
from members.services import record_duty
from sqyy.services import opinion_report_create_submitted

pytestmark = pytest.mark.django_db


def test_opinion_report_and_meeting_sources_link_to_their_pages(member, staff_user):
    report = opinion_report_create_submitted(
        actor=staff_user, title="关于农村饮水安全的建议", content="……", reflector=member
    )
    record = record_duty(
        actor=staff_user, member=member, kind="opinion_adopted", date=timezone.localdate(), source=report
    )
    assert duty_source_link(record, member.user) == (str(report), f"/opinions/{report.pk}/")
    assert duty_source_link(record, staff_user)[1] == f"/workbench/opinions/{report.pk}/"

    start = timezone.now() + timedelta(days=3)
    meeting = Meeting.objects.create(
        title="专题协商会",
        type="special_topic",
        start=start,
        end=start + timedelta(hours=3),
        place="市政协会议室",
    )
    record = record_duty(
        actor=staff_user, member=member, kind="meeting_attendance", date=timezone.localdate(), source=meeting
    )
    assert duty_source_link(record, member.user)[1] == f"/meetings/{meeting.pk}/"
