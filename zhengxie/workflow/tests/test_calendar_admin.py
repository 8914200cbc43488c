"""Calendar edits in the admin go through the service: open due dates follow, and the change is logged."""

from datetime import date

import pytest

from zhengxie.workflow.models import AuditEntry, WorkCalendarDay

pytestmark = pytest.mark.django_db


def test_staff_edit_a_day_through_the_service(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/admin/workflow/workcalendarday/add/", {"date": "2026-12-24", "is_workday": "", "name": "地方休假"}
    )
    assert response.status_code == 302
    day = WorkCalendarDay.objects.get(date=date(2026, 12, 24))
    assert (day.is_workday, day.source) == (False, "manual")
    assert AuditEntry.objects.filter(action="work_calendar_day_set", actor=staff_user).exists()


def test_load_year_page(client, staff_user):
    client.force_login(staff_user)
    page = client.post("/admin/workflow/workcalendarday/load-year/", {"year": 2099}, follow=True)
    assert "尚无 2099 年" in page.content.decode()
    client.post("/admin/workflow/workcalendarday/load-year/", {"year": 2026})
    assert WorkCalendarDay.objects.filter(date__year=2026).count() == 365


def test_leader_cannot_load(client, leader_user):
    client.force_login(leader_user)
    assert client.post("/admin/workflow/workcalendarday/load-year/", {"year": 2026}).status_code == 403
    assert not WorkCalendarDay.objects.exists()
