"""Proposals API as API.md describes it: shapes, actions, refusals, permissions, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from proposals.models import Proposal, ProposalCategory
from sqyy.models import OpinionReport
from tests import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return ProposalCategory.objects.get(name="文化")


def _create(client, plenary, category, **extra):
    body = {
        "title": "关于推进全民阅读的建议",
        "content": "情况……分析……建议……",
        "category": category.pk,
        "kind": "individual",
        "during_plenary": True,
        "plenary": plenary.pk,
    }
    body.update(extra)
    return client.post("/api/v1/proposals/", body, format="json")


def test_member_creates_patches_submits_and_reads_history(api, member, plenary, category):
    client = api(member.user)
    response = _create(client, plenary, category)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft" and data["proposer"] == member.pk and data["term"] == plenary.term_id
    pid = data["id"]
    response = client.patch(
        f"/api/v1/proposals/{pid}/", {"title": "关于推进书香城市建设的建议"}, format="json"
    )
    assert response.status_code == 200 and response.json()["title"] == "关于推进书香城市建设的建议"
    response = client.post(f"/api/v1/proposals/{pid}/submit/")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    history = client.get(f"/api/v1/proposals/{pid}/history/").json()
    assert [(h["from_state"], h["to_state"]) for h in history] == [("", "draft"), ("draft", "submitted")]
    assert history[1]["actor"] == "李委员" and history[1]["at"].endswith("+08:00")


def test_joint_flow_over_the_api(api, member, other_member, staff_user, plenary, category):
    client = api(member.user)
    pid = _create(client, plenary, category, kind="joint", cosigners=[other_member.pk]).json()["id"]
    assert client.post(f"/api/v1/proposals/{pid}/submit/").json()["state"] == "awaiting_cosigners"
    staff = api(staff_user)
    response = staff.post(f"/api/v1/proposals/{pid}/register/")
    assert response.status_code == 400 and "联名人尚未全部答复" in response.json()["detail"]
    # the proposer is not a co-signer
    assert client.post(f"/api/v1/proposals/{pid}/cosign/", {"agree": True}, format="json").status_code == 403
    response = api(other_member.user).post(f"/api/v1/proposals/{pid}/cosign/", {"agree": True}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    response = staff.post(f"/api/v1/proposals/{pid}/register/")
    assert response.status_code == 200 and response.json()["number"] == "十五届二次会议第0001号"
    second = staff.post(f"/api/v1/proposals/{pid}/register/")
    assert second.status_code == 400 and "不能立案" in second.json()["detail"]
    assert Proposal.objects.get(pk=pid).serial == 1


@pytest.mark.parametrize(
    "extra,fragment",
    [
        ({"title": ""}, "案由不能为空"),
        ({"title": "长" * 51}, "案由不能超过50字"),
        ({"content": "字" * 2501}, "正文不能超过2500字"),
        ({"kind": "joint", "cosigners": []}, "至少需要一位联名人"),
    ],
)
def test_bad_input_is_400_with_chinese_detail_and_nothing_created(
    api, member, plenary, category, extra, fragment
):
    response = _create(api(member.user), plenary, category, **extra)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert Proposal.objects.count() == 0


def test_proposer_cannot_cosign_own(api, member, plenary, category):
    response = _create(api(member.user), plenary, category, kind="joint", cosigners=[member.pk])
    assert response.status_code == 400 and "第一提案人" in response.json()["detail"]


def test_review_actions_and_refusals(api, member, staff_user, plenary, category):
    client = api(member.user)
    pid = _create(client, plenary, category).json()["id"]
    client.post(f"/api/v1/proposals/{pid}/submit/")
    staff = api(staff_user)
    assert staff.post(f"/api/v1/proposals/{pid}/return/", {"reason": ""}, format="json").status_code == 400
    response = staff.post(f"/api/v1/proposals/{pid}/return/", {"reason": "建议不够具体"}, format="json")
    assert response.json()["state"] == "returned" and response.json()["return_reason"] == "建议不够具体"
    client.post(f"/api/v1/proposals/{pid}/submit/")
    response = staff.post(
        f"/api/v1/proposals/{pid}/reject/",
        {"reason": "属个人具体问题", "disposition": "opinion_report", "reason_code": "个人或亲属的具体问题"},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "not_registered" and data["rejection_reason"] == "个人或亲属的具体问题"
    reports = staff.get("/api/v1/opinion-reports/").json()
    assert reports["count"] == 1 and reports["results"][0]["source_proposal"] == pid
    assert reports["results"][0]["state"] == "submitted" and reports["results"][0]["reflector"] == member.pk
    assert OpinionReport.objects.get().reflector == member


def test_member_trying_staff_action_gets_403_and_others_draft_404(
    api, member, other_member, plenary, category
):
    pid = _create(api(member.user), plenary, category).json()["id"]
    api(member.user).post(f"/api/v1/proposals/{pid}/submit/")
    assert api(member.user).post(f"/api/v1/proposals/{pid}/register/").status_code == 403
    assert (
        api(member.user).post(f"/api/v1/proposals/{pid}/return/", {"reason": "x"}, format="json").status_code
        == 403
    )
    other = api(other_member.user)
    draft_id = _create(api(member.user), plenary, category).json()["id"]
    assert other.get(f"/api/v1/proposals/{draft_id}/").status_code == 404
    assert other.patch(f"/api/v1/proposals/{draft_id}/", {"title": "x"}, format="json").status_code == 404
    assert other.post(f"/api/v1/proposals/{draft_id}/submit/").status_code == 404
    assert Proposal.objects.get(pk=draft_id).state == "draft"


def test_department_sees_no_proposals_here(api, department_user, member, staff_user, plenary, category):
    pid = _create(api(member.user), plenary, category).json()["id"]
    api(member.user).post(f"/api/v1/proposals/{pid}/submit/")
    client = api(department_user)
    assert client.get("/api/v1/proposals/").json()["count"] == 0
    assert client.get(f"/api/v1/proposals/{pid}/").status_code == 404
    assert api(staff_user).get(f"/api/v1/proposals/{pid}/").status_code == 200


def test_unauthenticated_is_401(api):
    response = api().get("/api/v1/proposals/")
    assert response.status_code == 401 and response.json()["detail"] == "请先登录。"


def test_merge_over_api(api, member, other_member, staff_user, plenary, category):
    main = _create(api(member.user), plenary, category).json()["id"]
    api(member.user).post(f"/api/v1/proposals/{main}/submit/")
    api(staff_user).post(f"/api/v1/proposals/{main}/register/")
    dup = _create(api(other_member.user), plenary, category).json()["id"]
    api(other_member.user).post(f"/api/v1/proposals/{dup}/submit/")
    response = api(staff_user).post(f"/api/v1/proposals/{dup}/merge/", {"into": 999999}, format="json")
    assert response.status_code == 404
    response = api(staff_user).post(f"/api/v1/proposals/{dup}/merge/", {"into": main}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "merged"
    main_data = api(other_member.user).get(f"/api/v1/proposals/{main}/").json()
    assert [c["name"] for c in main_data["cosigners"]] == ["赵委员"]
    assert main_data["cosigners"][0]["joined_by_merge"] is True


def test_withdraw_and_filters(api, member, staff_user, plenary, category):
    client = api(member.user)
    a = _create(client, plenary, category, title="关于老旧小区加装电梯的建议").json()["id"]
    b = _create(client, plenary, category, title="关于河道治理的建议").json()["id"]
    client.post(f"/api/v1/proposals/{a}/submit/")
    client.post(f"/api/v1/proposals/{b}/submit/")
    assert client.post(f"/api/v1/proposals/{b}/withdraw/").json()["state"] == "withdrawn"
    staff = api(staff_user)
    assert [p["id"] for p in staff.get("/api/v1/proposals/?state=submitted").json()["results"]] == [a]
    assert [p["id"] for p in staff.get("/api/v1/proposals/?q=电梯").json()["results"]] == [a]
    assert [p["id"] for p in staff.get("/api/v1/proposals/?q=李委员&state=withdrawn").json()["results"]] == [
        b
    ]
    assert staff.get(f"/api/v1/proposals/?plenary={plenary.pk}&kind=joint").json()["count"] == 0


def test_bulk_register(api, member, staff_user, plenary, category):
    client = api(member.user)
    ids = []
    for i in range(3):
        pid = _create(client, plenary, category, title=f"批量{i}").json()["id"]
        client.post(f"/api/v1/proposals/{pid}/submit/")
        ids.append(pid)
    draft = _create(client, plenary, category, title="草稿").json()["id"]
    response = api(staff_user).post("/api/v1/proposals/bulk-register/", {"ids": ids + [draft]}, format="json")
    body = response.json()
    assert [r["number"] for r in body["registered"]] == [f"十五届二次会议第000{i}号" for i in (1, 2, 3)]
    assert [f["id"] for f in body["failed"]] == [draft]  # another's draft is invisible to staff: 不存在
    assert (
        api(member.user).post("/api/v1/proposals/bulk-register/", {"ids": ids}, format="json").status_code
        == 403
    )


def test_attachment_upload_checks_type(api, member, plenary, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(member.user)
    pid = _create(client, plenary, category).json()["id"]
    bad = client.post(
        f"/api/v1/proposals/{pid}/attachments/",
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
        format="multipart",
    )
    assert bad.status_code == 400 and "不支持的附件类型" in bad.json()["detail"]
    good = client.post(
        f"/api/v1/proposals/{pid}/attachments/",
        {"file": SimpleUploadedFile("调研报告.docx", files.DOCX)},
        format="multipart",
    )
    assert good.status_code == 201 and good.json()["attachments"][0]["name"] == "调研报告.docx"


def test_list_query_count_does_not_grow(api, staff_user, member, make_member, plenary, category):
    def seed(n):
        for i in range(n):
            co = make_member(f"联名{i}")
            p = services.proposal_create(
                actor=member.user,
                title=f"提案{i}",
                content="建议",
                category=category,
                kind="joint",
                cosigners=[co.pk],
                during_plenary=True,
                plenary=plenary,
            )
            services.proposal_submit(actor=member.user, proposal=p)

    client = api(staff_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/proposals/?page_size=200").status_code == 200
        return len(ctx)

    seed(2)
    small = count()
    seed(20)
    assert count() == small
