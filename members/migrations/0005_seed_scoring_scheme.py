"""The default 积分方案 (桐城 2019 style) for the year the platform is installed in; staff edit it in admin,
and open later years from it (years without a scheme are scored with the same defaults)."""

from django.db import migrations
from django.utils import timezone

RULES = [
    # kind, detail, group, points, cap
    ("plenary_attendance", "", "plenary", "50", None),
    ("plenary_attendance", "present", "plenary", "50", None),
    ("plenary_attendance", "leave", "plenary", "30", None),
    ("plenary_attendance", "absent", "plenary", "0", None),
    ("standing_attendance", "", "standing", "0", None),
    ("standing_attendance", "leave", "standing", "-2", None),
    ("standing_attendance", "absent", "standing", "-5", None),
    ("proposal_submitted", "", "proposal", "10", None),
    ("proposal_registered", "", "proposal", "15", None),
    ("meeting_attendance", "", "activity", "2", None),
    ("meeting_attendance", "leave", "activity", "0", None),
    ("meeting_attendance", "absent", "activity", "0", None),
    ("research", "", "activity", "2", None),
    ("inspection", "", "activity", "2", None),
    ("constituency_contact", "", "activity", "2", None),
    ("training", "", "activity", "2", None),
    ("speech", "", "activity", "2", None),
    ("speech", "written", "activity", "5", None),
    ("speech", "oral", "activity", "5", None),
    ("opinion_submitted", "", "opinion", "10", None),
    ("opinion_adopted", "", "opinion", "5", None),
    ("proposal_key", "", "bonus", "5", None),
    ("proposal_excellent", "", "bonus", "5", None),
    ("opinion_upper_adopted", "", "bonus", "5", None),
    ("opinion_instructed", "", "bonus", "5", None),
    ("public_service", "", "bonus", "2", "10"),
    ("other", "", "bonus", "0", None),
]
CAPS = {"cap_plenary": 50, "cap_proposal": 25, "cap_activity": 10, "cap_opinion": 15}


def seed(apps, schema_editor):
    Scheme = apps.get_model("members", "ScoringScheme")
    Rule = apps.get_model("members", "ScoringRule")
    scheme, created = Scheme.objects.get_or_create(year=timezone.localdate().year, defaults=CAPS)
    if created:
        Rule.objects.bulk_create(
            Rule(scheme=scheme, kind=k, detail=d, group=g, points=p, cap=c) for k, d, g, p, c in RULES
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0004_duty_scoring")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
