"""The DOCX reply-letter draft: built with python-docx and read back."""

from datetime import date
from io import BytesIO

import docx
import pytest
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.documents import reply_letter_docx
from proposals.models import Assignment, ProposalCategory
from zhengxie.accounts.models import Department, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(member, staff_user, plenary, department, department_user):
    p = services.proposal_create(
        actor=member.user,
        title="关于建设城市慢行系统的建议",
        content="正文",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff_user, proposal=p)
    co_a = Department.objects.create(name="市住建局", code="ZJJ")
    co_b = Department.objects.create(name="市交通局", code="JTJ")
    services.proposal_assign(
        actor=staff_user,
        proposal=p,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": co_a.pk, "role": "co"},
            {"department": co_b.pk, "role": "co"},
        ],
    )
    p.refresh_from_db()
    return p, Assignment.objects.get(proposal=p, role="lead")


def text_of(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(BytesIO(data)).paragraphs]


def test_letter_is_prefilled_from_the_proposal(assigned):
    proposal, lead = assigned
    paragraphs = text_of(reply_letter_docx(lead, today=date(2026, 5, 8)))
    body = "\n".join(paragraphs)
    assert proposal.number == "十五届二次会议第0001号"
    assert paragraphs[0] == "类别：____"
    assert paragraphs[1] == "市教育局"
    assert "关于某市政协十五届二次会议第0001号提案的答复" in paragraphs
    assert "尊敬的李委员委员：" in paragraphs
    assert "《关于建设城市慢行系统的建议》" in body
    assert "感谢您对我们工作的关心和支持。" in paragraphs
    assert "签发领导：" in paragraphs
    assert "联系人：王科长" in paragraphs and "联系电话：13800000001" in paragraphs
    assert "2026年5月8日" in paragraphs
    assert paragraphs[-1] == "抄送：某市政协提案委员会，市住建局，市交通局。"


def test_letter_sets_the_east_asian_font(assigned):
    _, lead = assigned
    document = docx.Document(BytesIO(reply_letter_docx(lead)))
    run = next(r for p in document.paragraphs for r in p.runs if "感谢" in r.text)
    fonts = run._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"


def test_letter_shows_the_chosen_class_and_signer_after_the_reply(assigned, department_user):
    _, lead = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_add_contact(
        actor=department_user, assignment=lead, date=timezone.localdate(), way="phone", summary="沟通"
    )
    services.assignment_reply(
        actor=department_user, assignment=lead, result="A", content="已解决", signer="张局长"
    )
    paragraphs = text_of(reply_letter_docx(Assignment.objects.get(pk=lead.pk)))
    assert paragraphs[0] == "类别：A"
    assert "签发领导：张局长" in paragraphs


def test_download_from_the_portal(client, assigned, department_user):
    proposal, lead = assigned
    client.force_login(department_user)
    response = client.get(f"/portal/assignments/{lead.pk}/reply-letter.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert proposal.number in "\n".join(text_of(response.content))


def test_download_is_404_for_another_department_and_403_for_a_member(
    client, assigned, other_department, member_user
):
    _, lead = assigned
    client.force_login(make_user("wjw1", Role.DEPARTMENT, department=other_department))
    assert client.get(f"/portal/assignments/{lead.pk}/reply-letter.docx").status_code == 404
    client.force_login(member_user)
    assert client.get(f"/portal/assignments/{lead.pk}/reply-letter.docx").status_code == 403
