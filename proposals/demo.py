"""Demo proposals in every stage, made through the services (so history, numbers and duty records are
real). Idempotent: a proposal whose title exists is left alone."""

from django.db import transaction
from django.utils import timezone

from members.models import Member, Plenary
from zhengxie.accounts.models import Department, User

from . import services
from .models import Assignment, Proposal, ProposalCategory

DEMO = [
    # title, proposer, cosigners, category, how far
    ("关于加快城区公共停车设施建设的建议", "member1", ["member2"], "经济", "closed"),
    ("关于推进义务教育优质均衡发展的建议", "member1", [], "社会", "replied"),
    ("关于加强老旧小区适老化改造的建议", "member3", ["member1", "member4"], "社会", "in_progress"),
    ("关于完善农村生活污水治理长效机制的建议", "member4", [], "生态文明", "assigned"),
    ("关于扶持中小微企业数字化转型的建议", "member5", [], "经济", "registered"),
    ("关于保护和利用历史文化街区的建议", "member7", [], "文化", "submitted"),
    ("关于优化医保异地就医结算的建议", "member3", ["member6"], "社会", "awaiting_cosigners"),
    ("关于建设“一刻钟便民生活圈”的建议", "member2", [], "经济", "draft"),
]


@transaction.atomic
def seed_proposals() -> int:
    staff = User.objects.get(username="staff")
    plenary = Plenary.objects.filter(term__is_current=True).order_by("-number").first()
    members = {m.user.username: m for m in Member.objects.select_related("user").filter(user__isnull=False)}
    departments = list(Department.objects.order_by("code")[:3])
    created = 0
    for title, proposer, cosigners, category, stage in DEMO:
        if Proposal.objects.filter(title=title).exists():
            continue
        author = members[proposer].user
        p = services.proposal_create(
            actor=author,
            title=title,
            content=(
                "一、基本情况：群众反映强烈，现有设施和机制不能满足需要。\n"
                "二、原因分析：规划滞后、投入不足、部门协同不够。\n"
                "三、具体建议：1. 加强统筹规划；2. 加大财政投入；3. 建立部门联动和考核机制。"
            ),
            category=ProposalCategory.objects.get(name=category),
            kind="joint" if cosigners else "individual",
            cosigners=[members[c].pk for c in cosigners],
            during_plenary=True,
            plenary=plenary,
        )
        created += 1
        if stage == "draft":
            continue
        services.proposal_submit(actor=author, proposal=p)
        if stage == "awaiting_cosigners":
            continue
        for c in cosigners:
            services.proposal_cosign(actor=members[c].user, proposal=p, agree=True)
        if stage == "submitted":
            continue
        services.proposal_register(actor=staff, proposal=p)
        if stage == "registered":
            continue
        lead, co = departments[0], departments[1]
        services.proposal_assign(
            actor=staff,
            proposal=p,
            assignments=[{"department": lead.pk, "role": "lead"}, {"department": co.pk, "role": "co"}],
        )
        if stage == "assigned":
            continue
        clerk = User.objects.filter(department=lead).first()
        task = Assignment.objects.get(proposal=p, department=lead)
        services.assignment_accept(actor=clerk, assignment=task)
        services.assignment_add_contact(
            actor=clerk,
            assignment=task,
            date=timezone.localdate(),
            way="face_to_face",
            summary="与提案人当面沟通办理思路",
        )
        if stage == "in_progress":
            continue
        services.assignment_reply(
            actor=clerk,
            assignment=task,
            result="B",
            content="所提建议已列入明年工作计划，将分步实施。",
            signer="局长",
        )
        if stage == "replied":
            continue
        services.proposal_evaluate(actor=author, proposal=p, satisfaction="satisfied", comment="办理认真")
    return created
