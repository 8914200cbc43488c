"""Fixtures for 社情民意 tests: reports at each stage of their life."""

from datetime import date

import pytest

from sqyy import services


@pytest.fixture
def draft(member):
    return services.opinion_report_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="情况：上下学高峰拥堵。分析：缺少接送车位。建议：设置临时停车区并增派协管员。",
        category="社会民生",
    )


@pytest.fixture
def submitted(draft, member):
    return services.opinion_report_submit(actor=member.user, report=draft)


@pytest.fixture
def adopted(submitted, staff_user):
    return services.opinion_report_adopt(
        actor=staff_user,
        report=submitted,
        title="校园周边交通安全亟待加强",
        content="编辑后的正文：建议设置临时停车区。",
    )


@pytest.fixture
def make_adopted(staff_user, member):
    def make(title="一条采用的社情民意", content="情况、分析和建议。"):
        report = services.opinion_report_create(actor=member.user, title=title, content=content)
        services.opinion_report_submit(actor=member.user, report=report)
        return services.opinion_report_adopt(actor=staff_user, report=report)

    return make


@pytest.fixture
def published(adopted, staff_user):
    bulletin = services.bulletin_create(actor=staff_user, date=date.today())
    services.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=adopted)
    services.bulletin_publish(actor=staff_user, bulletin=bulletin)
    adopted.refresh_from_db()
    return adopted


@pytest.fixture
def instructed(published, staff_user):
    services.opinion_report_add_instruction(
        actor=staff_user,
        report=published,
        leader="王市长",
        level="city",
        content="请教育局研究落实。",
        date=date.today(),
    )
    return published


@pytest.fixture
def transferred(instructed, staff_user, department):
    (task,) = services.opinion_report_transfer(
        actor=staff_user, report=instructed, departments=[department.pk]
    )
    return task
