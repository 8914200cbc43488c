"""List rows answer every name their template asks (issue 15): for each name a row does not have, Django's
template engine catches the exception and calls dir() on the row (~40 µs), which was 50–60 calls on every
proposal and 社情民意 list page. Django logs each miss at DEBUG on the "django.template" logger."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import Proposal, ProposalCategory
from sqyy import services as sqyy_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(member, term, plenary):
    category = ProposalCategory.objects.get(name="社会")
    for i, state in enumerate([Proposal.State.SUBMITTED, Proposal.State.REGISTERED]):
        Proposal.objects.create(
            title=f"提案{i}",
            content="正文",
            category=category,
            proposer=member,
            created_by=member.user,
            term=term,
            plenary=plenary,
            state=state,
            submitted_at=timezone.now() - timedelta(hours=i),
            is_published=True,
        )
    for i in range(2):
        report = sqyy_services.opinion_report_create(
            actor=member.user, title=f"社情民意{i}", content="情况。分析。建议。", category="社会民生"
        )
        sqyy_services.opinion_report_submit(actor=member.user, report=report)


def _misses(client, url, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.template"):
        response = client.get(url)
    assert response.status_code == 200, url
    return [r.getMessage() for r in caplog.records if r.name == "django.template"]


@pytest.mark.parametrize(
    "role,url",
    [
        ("staff", "/workbench/proposals/"),
        ("staff", "/workbench/proposals/all/"),
        ("staff", "/proposals/published/"),
        ("staff", "/workbench/opinions/"),
        ("member", "/proposals/"),
        ("member", "/opinions/"),
    ],
)
def test_list_rows_answer_every_name_their_template_asks(
    client, rows, staff_user, member_user, caplog, role, url
):
    client.force_login(staff_user if role == "staff" else member_user)
    assert _misses(client, url, caplog) == []


def test_the_miss_log_is_what_the_test_reads(client, rows, staff_user, caplog):
    """The probe itself: a name a row lacks is logged (else the test above could not fail)."""
    from django.template import Context, Template

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.template"):
        Template("{% if p.no_such_name %}x{% endif %}").render(Context({"p": Proposal.objects.first()}))
    assert any("'no_such_name'" in r.getMessage() for r in caplog.records)
