"""Fill the statistics fields of existing proposals and assignments; seed the assessment defaults."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

REPLIED_STATES = ["replied", "rehandling", "closed"]

ITEMS = [
    # code, weight, deduction per case, order
    ("on_time", 30, 0, 10),
    ("contacted", 20, 0, 20),
    ("satisfaction", 30, 0, 30),
    ("result_mix", 20, 0, 40),
    ("rehandling", 0, 2, 50),
    ("overdue", 0, 2, 60),
]
GRADES = [("优秀", 90), ("良好", 80), ("一般", 60), ("较差", 0)]


def backfill(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    Assignment = apps.get_model("proposals", "Assignment")
    Contact = apps.get_model("proposals", "Contact")
    Reply = apps.get_model("proposals", "Reply")
    Evaluation = apps.get_model("proposals", "Evaluation")

    final_rating = (
        Evaluation.objects.filter(proposal=OuterRef("pk"), member_id=OuterRef("proposer_id"))
        .order_by("-handling_round", "-id")
        .values("satisfaction")[:1]
    )
    Proposal.objects.filter(Exists(Evaluation.objects.filter(proposal=OuterRef("pk")))).update(
        stat_satisfaction=Coalesce(Subquery(final_rating), Value(""))
    )
    Proposal.objects.filter(Exists(Contact.objects.filter(assignment__proposal=OuterRef("pk")))).update(
        stat_contacted=True
    )
    late = Reply.objects.filter(assignment__proposal=OuterRef("pk"), handling_round=1, on_time=False)
    replied = Proposal.objects.filter(state__in=REPLIED_STATES)
    replied.filter(Exists(late)).update(stat_on_time=False)
    replied.exclude(Exists(late)).update(stat_on_time=True)

    proposal = Proposal.objects.filter(pk=OuterRef("proposal_id"))
    Assignment.objects.update(
        stat_term_id=Subquery(proposal.values("term_id")[:1]),
        stat_plenary_id=Subquery(proposal.values("plenary_id")[:1]),
        stat_year=Subquery(proposal.annotate(y=ExtractYear("submitted_at")).values("y")[:1]),
        stat_satisfaction=Subquery(proposal.values("stat_satisfaction")[:1]),
    )
    Assignment.objects.filter(Exists(Contact.objects.filter(assignment=OuterRef("pk")))).update(
        stat_contacted=True
    )
    first = Reply.objects.filter(assignment=OuterRef("pk"), handling_round=1)
    latest = Reply.objects.filter(assignment=OuterRef("pk")).order_by("-handling_round", "-id")
    Assignment.objects.filter(Exists(first)).update(
        stat_on_time=Subquery(first.values("on_time")[:1]), stat_result=Subquery(latest.values("result")[:1])
    )
    # 会办 opinions have no Reply row: on time when sent by the due date.
    co = Assignment.objects.filter(role="co", replied_at__isnull=False)
    for task in co.only("pk", "replied_at", "due_date"):
        on_time = timezone.localtime(task.replied_at).date() <= task.due_date
        Assignment.objects.filter(pk=task.pk).update(stat_on_time=on_time)


def seed_assessment(apps, schema_editor):
    Item = apps.get_model("proposals", "AssessmentItem")
    Grade = apps.get_model("proposals", "AssessmentGrade")
    for code, weight, deduction, order in ITEMS:
        Item.objects.get_or_create(
            code=code, defaults={"weight": weight, "deduction": deduction, "order": order}
        )
    for name, score in GRADES:
        Grade.objects.get_or_create(name=name, defaults={"min_score": score})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0005_stats")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(seed_assessment, migrations.RunPython.noop),
    ]
