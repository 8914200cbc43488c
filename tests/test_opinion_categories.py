"""社情民意 类别 is a managed list: offered as a choice, checked by the service (pages and API), kept on
old reports after an entry is retired; required fields starred and a character counter on the form."""

import re

import pytest

from sqyy import services
from sqyy.models import OpinionCategory, OpinionReport
from zhengxie.workflow.errors import InvalidInput

pytestmark = pytest.mark.django_db
API = "/api/v1/opinion-reports/"


def test_the_usual_categories_are_seeded():
    names = list(OpinionCategory.objects.filter(is_active=True).values_list("name", flat=True))
    assert names[:3] == ["经济发展", "社会民生", "文化教育"] and "其他" in names


def test_member_form_offers_the_list_stars_required_fields_and_counts(client, member):
    client.force_login(member.user)
    body = client.get("/opinions/new/").content.decode()
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', body, re.S)
    assert select, "类别 must be a choice, not free text"
    assert "社会民生" in select.group(1) and 'list="opinion-categories"' not in body
    assert re.search(r'for="id_title" class="form-label">标题 <span class="text-danger"', body)
    assert re.search(r'for="id_content" class="form-label">内容 <span class="text-danger"', body)
    assert 'data-count-target="id_content-count"' in body and 'data-testid="content-count"' in body
    assert "js/proposal_form.js" in body


def test_a_category_outside_the_list_is_refused_on_the_page_and_in_the_api(client, api, member):
    client.force_login(member.user)
    response = client.post(
        "/opinions/new/", {"title": "标题", "content": "内容", "category": "乱七八糟", "save": "1"}
    )
    assert response.status_code == 400
    assert not OpinionReport.objects.exists()

    response = api(member.user).post(
        API, {"title": "标题", "content": "内容", "category": "乱七八糟"}, format="json"
    )
    assert response.status_code == 400
    assert "不在类别列表中" in response.json()["detail"] and "社会民生" in response.json()["detail"]
    assert not OpinionReport.objects.exists()

    response = api(member.user).post(
        API, {"title": "标题", "content": "内容", "category": "社会民生"}, format="json"
    )
    assert response.status_code == 201


def test_staff_add_categories_in_the_admin_and_they_are_offered(client, staff_user, member):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    response = client.post(
        "/admin/sqyy/opinioncategory/add/", {"name": "营商环境", "order": "5", "is_active": "on"}
    )
    assert response.status_code == 302
    changelist = client.get("/admin/sqyy/opinioncategory/").content.decode()
    assert 'aria-label="营商环境：排序"' in changelist
    assert (
        services.opinion_report_create(
            actor=member.user, title="t", content="c", category="营商环境"
        ).category
        == "营商环境"
    )


def test_a_report_keeps_a_retired_category(client, member):
    report = services.opinion_report_create(actor=member.user, title="t", content="c", category="社会民生")
    OpinionCategory.objects.filter(name="社会民生").update(is_active=False)
    with pytest.raises(InvalidInput):
        services.opinion_report_create(actor=member.user, title="t2", content="c", category="社会民生")
    services.opinion_report_update(actor=member.user, report=report, title="改", category="社会民生")
    client.force_login(member.user)
    body = client.get(f"/opinions/{report.pk}/edit/").content.decode()
    assert re.search(r'<option value="社会民生" selected>', body)
    response = client.post(
        f"/opinions/{report.pk}/edit/", {"title": "再改", "content": "c", "category": "社会民生", "save": "1"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "再改" and report.category == "社会民生"
