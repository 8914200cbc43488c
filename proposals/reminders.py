"""Proposal reminders on the shared machinery: co-signers who have not answered, proposers who have not
rated a reply, departments that have not signed for an assignment. Registered from ProposalsConfig.ready."""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from zhengxie.notifications.models import Reminder
from zhengxie.notifications.reminders import Candidate, Message, ReminderSource, users_of_departments
from zhengxie.workflow.calendar import WorkCalendar
from zhengxie.workflow.selectors import policy_current

from .models import Assignment, Cosigner, Evaluation, Proposal

COSIGN_AFTER_DAYS = (2, 5)
UNSIGNED_AFTER_WORKDAYS = 3
RATING_DAYS_BEFORE_WINDOW_ENDS = 3


def _local_date(moment) -> date:
    return timezone.localtime(moment).date()


class CosignersNotAnswered(ReminderSource):
    name = "cosign_pending"

    def candidates(self, today):
        rows = Cosigner.objects.filter(
            status=Cosigner.Status.PENDING,
            proposal__state=Proposal.State.AWAITING_COSIGNERS,
            proposal__submitted_at__date__lte=today - timedelta(days=min(COSIGN_AFTER_DAYS)),
        ).values_list("pk", "proposal__submitted_at")
        for pk, submitted_at in rows:
            waited = (today - _local_date(submitted_at)).days
            passed = [d for d in COSIGN_AFTER_DAYS if waited >= d]
            if passed:
                yield Candidate(Cosigner, pk, "cosign_pending", max(passed))

    def render(self, reminders, today):
        rows = Cosigner.objects.select_related("member__user", "proposal__proposer").in_bulk(
            [r.object_id for r in reminders]
        )
        result = {}
        for r in reminders:
            row = rows.get(r.object_id)
            if (
                row is None
                or row.status != Cosigner.Status.PENDING
                or row.proposal.state != "awaiting_cosigners"
            ):
                result[r.pk] = None
                continue
            p = row.proposal
            result[r.pk] = Message(
                recipients=[row.member.user] if row.member.user_id else [],
                title=f"请确认联名：{p.title}",
                body=f"{p.proposer_display}邀请您联名提案《{p.title}》已{r.threshold}天，请确认或谢绝。",
                link=f"/proposals/{p.pk}/",
            )
        return result


class AssignmentsNotSigned(ReminderSource):
    name = "assignment_unsigned"

    def candidates(self, today):
        # Assigned on or before the day UNSIGNED_AFTER_WORKDAYS working days ago: filtered in the database.
        cutoff = WorkCalendar(today.year - 1, today.year).sub_workdays(today, UNSIGNED_AFTER_WORKDAYS)
        # one reminder per assignment ever: those reminded already are left out in the database, so a
        # long-unsigned assignment is not proposed again every morning
        reminded = Reminder.objects.filter(
            content_type=ContentType.objects.get_for_model(Assignment),
            object_id=OuterRef("pk"),
            kind="unsigned",
            threshold=UNSIGNED_AFTER_WORKDAYS,
        )
        rows = (
            Assignment.objects.filter(state=Assignment.State.PENDING, assigned_at__date__lte=cutoff)
            .exclude(Exists(reminded))
            .values_list("pk", flat=True)
        )
        for pk in rows.iterator(chunk_size=5000):
            yield Candidate(Assignment, pk, "unsigned", UNSIGNED_AFTER_WORKDAYS)

    def render(self, reminders, today):
        tasks = Assignment.reminder_queryset().in_bulk([r.object_id for r in reminders])
        people = users_of_departments(t.department_id for t in tasks.values())
        result = {}
        for r in reminders:
            task = tasks.get(r.object_id)
            if task is None or task.state != Assignment.State.PENDING:
                result[r.pk] = None
                continue
            result[r.pk] = Message(
                recipients=people.get(task.department_id, []),
                title="请及时签收交办提案",
                body=f"{task.reminder_subject()}交办已超过{UNSIGNED_AFTER_WORKDAYS}个工作日尚未签收。",
                link=task.portal_url(),
            )
        return result


class RepliesNotRated(ReminderSource):
    """Remind the proposer a few working days before the rating window closes; the threshold is the
    handling round, so a re-handled proposal is reminded again."""

    name = "rating_pending"

    def _window_end(self, cal, replied_at, window):
        return cal.add_workdays(_local_date(replied_at), window).date

    def candidates(self, today):
        window = policy_current().rating_window_workdays
        cal = WorkCalendar(today.year - 1, today.year + 1)
        # Only replies whose window can still be open today: `window` working days never span more
        # than 2×window + 30 calendar days (weekends, the longest holiday), so older ones are left out
        # in the database and the exact rule below decides among the rest.
        since = timezone.make_aware(datetime.combine(today - timedelta(days=2 * window + 30), time.min))
        rows = list(
            Proposal.objects.filter(state=Proposal.State.REPLIED, replied_at__gte=since).values_list(
                "pk", "replied_at", "handling_round", "proposer_id"
            )
        )
        rated = set(
            Evaluation.objects.filter(proposal_id__in=[row[0] for row in rows]).values_list(
                "proposal_id", "member_id", "handling_round"
            )
        )
        for pk, replied_at, round_, proposer_id in rows:
            if (pk, proposer_id, round_) in rated:
                continue
            end = self._window_end(cal, replied_at, window)
            if cal.workdays_between(today, end) <= RATING_DAYS_BEFORE_WINDOW_ENDS and today <= end:
                yield Candidate(Proposal, pk, "rating_pending", round_)

    def render(self, reminders, today):
        window = policy_current().rating_window_workdays
        cal = WorkCalendar(today.year - 1, today.year + 1)
        proposals = Proposal.objects.select_related("proposer__user").in_bulk(
            [r.object_id for r in reminders]
        )
        evaluated = set(
            Evaluation.objects.filter(proposal_id__in=list(proposals)).values_list(
                "proposal_id", "member_id", "handling_round"
            )
        )
        result = {}
        for r in reminders:
            p = proposals.get(r.object_id)
            rated = p is not None and (p.pk, p.proposer_id, p.handling_round) in evaluated
            if p is None or p.state != Proposal.State.REPLIED or p.handling_round != r.threshold or rated:
                result[r.pk] = None
                continue
            end = self._window_end(cal, p.replied_at, window)
            result[r.pk] = Message(
                recipients=[p.proposer.user] if p.proposer_id and p.proposer.user_id else [],
                title=f"请对提案答复进行测评：{p.number}",
                body=f"《{p.title}》已答复，请于{end:%Y年%m月%d日}前进行满意度测评。",
                link=f"/proposals/{p.pk}/",
            )
        return result


def register():
    from zhengxie.notifications.reminders import register_reminder_source

    for source in (CosignersNotAnswered(), AssignmentsNotSigned(), RepliesNotRated()):
        register_reminder_source(source)
