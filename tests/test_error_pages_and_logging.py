"""Chinese 403/404 pages with DEBUG on too, and one traceback-free log line per refused request."""

import logging

import pytest
from django.test import override_settings


@pytest.mark.django_db
@override_settings(DEBUG=True)
@pytest.mark.parametrize("url", ["/no-such-page/", "/workbench/proposals/999999/"])
def test_404_in_debug_is_our_chinese_page(client, staff_user, url, monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG_TECHNICAL_404", raising=False)
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "Page not found" not in body
    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_technical_404_can_be_asked_for(client, staff_user, monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG_TECHNICAL_404", "1")
    client.force_login(staff_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_api_404_in_debug_is_json(client, staff_user, monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG_TECHNICAL_404", raising=False)
    client.force_login(staff_user)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_403_in_debug_is_our_chinese_page(client, member_user):
    client.force_login(member_user)
    response = client.get("/workbench/")
    assert response.status_code == 403
    assert "无权访问此页面" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_403_is_one_warning_without_traceback(client, member_user, caplog, debug):
    client.force_login(member_user)
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO):
        response = client.get("/workbench/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text
    # Nothing but the root handler prints django's records (no second copy in debug).
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []


@pytest.mark.django_db
def test_api_403_is_one_warning_without_traceback(api, member_user, caplog):
    with caplog.at_level(logging.INFO):
        response = api(member_user).get("/api/v1/stats/proposals/")
    assert response.status_code == 403
    assert "Traceback" not in caplog.text
    assert len([r for r in caplog.records if r.name == "django.request"]) == 1
