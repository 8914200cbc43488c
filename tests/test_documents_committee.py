"""Documents and figures of issue 14: the committee's name is a setting; the form prints its number once;
the register shows the rating during re-handling; the summary states 办复率 once; collective proposals
are rated (the organisation's rating, recorded by staff on its behalf and audited)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from proposals import services, stats
from proposals.documents import proposal_form_docx, reply_letter_docx
from proposals.models import Assignment, Evaluation, Proposal, ProposalCategory
from zhengxie.workflow.errors import TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture
def district(settings):
    settings.COMMITTEE_REGION = "东湖区"
    settings.COMMITTEE_NAME = "中国人民政治协商会议东湖区委员会"
    settings.COMMITTEE_SHORT_NAME = "东湖区政协"


def paragraphs(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]


def _proposal(actor, plenary, **extra):
    p = services.proposal_create(
        actor=actor,
        title="关于完善社区养老服务的建议",
        content="建议增加日间照料中心。",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
        **extra,
    )
    return services.proposal_submit(actor=actor, proposal=p)


def _replied(proposal, staff_user, department, department_user):
    services.proposal_register(actor=staff_user, proposal=proposal.pk)
    services.proposal_assign(
        actor=staff_user, proposal=proposal.pk, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get(proposal=proposal)
    services.assignment_accept(actor=department_user, assignment=task)
    services.assignment_add_contact(
        actor=department_user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=department_user, assignment=task, result="B", content="正在推进")
    return Proposal.objects.get(pk=proposal.pk), task


@pytest.fixture
def replied(member, staff_user, plenary, department, department_user):
    return _replied(_proposal(member.user, plenary), staff_user, department, department_user)


@pytest.fixture
def collective(staff_user, plenary, department, department_user):
    p = _proposal(staff_user, plenary, kind="collective", organization="民盟东湖区委")
    return _replied(p, staff_user, department, department_user)[0]


# --- the committee's name -------------------------------------------------------------------------


def test_reply_letter_and_form_name_the_configured_committee(district, replied):
    proposal, task = replied
    letter = paragraphs(reply_letter_docx(task))
    assert f"关于东湖区政协{proposal.number}提案的答复" in letter
    assert letter[-1].startswith("抄送：东湖区政协提案委员会")
    assert not any("市政协" in line for line in letter)
    form = paragraphs(proposal_form_docx(proposal))
    assert form[0] == "政协东湖区第十五届委员会第二次会议"


def test_page_header_names_the_committee(district, client, staff_user):
    client.force_login(staff_user)
    html = client.get("/workbench/").content.decode()
    assert "东湖区政协履职工作平台" in html
    assert "中国人民政治协商会议东湖区委员会" in html


def test_default_committee_name_comes_from_the_region():
    from django.conf import settings

    assert settings.COMMITTEE_NAME == f"中国人民政治协商会议{settings.COMMITTEE_REGION}委员会"
    assert settings.COMMITTEE_SHORT_NAME == f"{settings.COMMITTEE_REGION}政协"


# --- the form's number ----------------------------------------------------------------------------


def test_form_prints_the_number_once(replied):
    proposal, _ = replied
    text = paragraphs(proposal_form_docx(proposal))
    assert proposal.number == "十五届二次会议第0001号"
    assert "编号：十五届二次会议第0001号" in text
    assert not any("第 " in line or " 号" in line for line in text)


# --- the register's 满意度 during re-handling ---------------------------------------------------------


def _register_satisfaction(client, staff_user, proposal) -> str:
    client.force_login(staff_user)
    content = client.get("/workbench/handling/register.xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    column = rows[0].index("满意度")
    return next(row[column] for row in rows if row[0] == proposal.number)


def test_register_shows_the_last_rating_while_handled_again(client, replied, member, staff_user):
    proposal, _ = replied
    services.proposal_evaluate(actor=member.user, proposal=proposal.pk, satisfaction="dissatisfied")
    proposal.refresh_from_db()
    assert proposal.state == State.REHANDLING
    assert _register_satisfaction(client, staff_user, proposal) == "不满意（重新办理中）"


# --- the summary paragraph --------------------------------------------------------------------------


def test_summary_states_the_reply_rate_once(replied):
    text = stats.summary_text(stats.Scope(), stats.proposal_stats(stats.Scope()))
    assert text.count("办复率") - text.count("按期办复率") == 1, text


# --- collective proposals are rated --------------------------------------------------------------------


def test_staff_record_the_organisations_rating(collective, staff_user, client):
    before = stats.proposal_stats(stats.Scope())
    assert before["replied"] == 1 and before["rated"] == 0
    services.proposal_evaluate(
        actor=staff_user, proposal=collective.pk, satisfaction="satisfied", comment="来函"
    )
    collective.refresh_from_db()
    assert collective.state == State.CLOSED
    evaluation = Evaluation.objects.get(proposal=collective)
    assert evaluation.member is None and evaluation.recorded_by == staff_user
    audit = AuditEntry.objects.get(
        action="proposal_evaluate", object_id=str(collective.pk), detail__has_key="satisfaction"
    )
    assert audit.actor == staff_user and audit.detail["on_behalf_of"] == "民盟东湖区委"
    after = stats.proposal_stats(stats.Scope())
    assert after["rated"] == 1 and after["rating_rate"] == 100.0 and after["satisfaction_rate"] == 100.0
    assert _register_satisfaction(client, staff_user, collective) == "满意"
    # The staff page lists it as the organisation's rating.
    client.force_login(staff_user)
    assert "民盟东湖区委（机关代录）" in client.get(f"/workbench/proposals/{collective.pk}/").content.decode()


def test_organisation_rating_can_send_it_back_once_and_is_recorded_once_a_round(collective, staff_user):
    services.proposal_evaluate(actor=staff_user, proposal=collective.pk, satisfaction="dissatisfied")
    assert Proposal.objects.get(pk=collective.pk).state == State.REHANDLING
    with pytest.raises(TransitionNotAllowed):
        services.proposal_evaluate(actor=staff_user, proposal=collective.pk, satisfaction="satisfied")


def test_only_staff_rate_collective_and_only_collective(
    collective, replied, staff_user, leader_user, member, department_user, api
):
    proposal, _ = replied
    with pytest.raises(PermissionDenied):
        services.proposal_evaluate(actor=staff_user, proposal=proposal.pk, satisfaction="satisfied")
    for user in (leader_user, member.user, department_user):
        with pytest.raises(PermissionDenied):
            services.proposal_evaluate(actor=user, proposal=collective.pk, satisfaction="satisfied")
    assert api(leader_user).post(
        f"/api/v1/proposals/{collective.pk}/evaluate/", {"satisfaction": "satisfied"}
    ).status_code in (403, 404)
    response = api(staff_user).post(
        f"/api/v1/proposals/{collective.pk}/evaluate/", {"satisfaction": "satisfied"}
    )
    assert response.status_code == 200, response.content
    assert not Evaluation.objects.filter(proposal=proposal).exists()


def test_staff_page_records_the_organisations_rating(collective, staff_user, leader_user, client):
    url = f"/workbench/handling/proposals/{collective.pk}/evaluate/"
    client.force_login(leader_user)
    assert client.post(url, {"satisfaction": "satisfied"}).status_code == 403
    client.force_login(staff_user)
    page = client.get(f"/workbench/proposals/{collective.pk}/").content.decode()
    assert 'data-testid="organization-rating"' in page
    response = client.post(url, {"satisfaction": "basically_satisfied", "comment": "来函"})
    assert response.status_code == 302
    assert Evaluation.objects.get(proposal=collective).get_satisfaction_display() == "基本满意"
    assert Proposal.objects.get(pk=collective.pk).state == State.CLOSED
