"""Bulk 立案: the same outcome as registering one by one, in a bounded number of statements (issue 14)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import DutyRecord
from proposals import services
from proposals.models import Proposal, ProposalCategory
from proposals.selectors import proposal_history
from zhengxie.notifications.models import ChannelDelivery, Notification
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db
Kind = Proposal.Kind


@pytest.fixture
def make_batch(member, other_member, staff_user, plenary):
    economy = ProposalCategory.objects.get(name="经济")

    def make(n: int) -> list[Proposal]:
        made = []
        for i in range(n):
            if i % 3 == 0:
                p = services.proposal_create(
                    actor=member.user,
                    title=f"个人{i}",
                    content="建议",
                    category=economy,
                    during_plenary=True,
                    plenary=plenary,
                )
            elif i % 3 == 1:
                p = services.proposal_create(
                    actor=member.user,
                    title=f"联名{i}",
                    content="建议",
                    category=economy,
                    kind=Kind.JOINT,
                    cosigners=[other_member.pk],
                    during_plenary=True,
                    plenary=plenary,
                )
            else:
                p = services.proposal_create(
                    actor=staff_user,
                    title=f"集体{i}",
                    content="建议",
                    category=economy,
                    kind=Kind.COLLECTIVE,
                    organization="民盟市委",
                    during_plenary=i % 2 == 0,
                    plenary=plenary,
                )
            owner = staff_user if p.kind == Kind.COLLECTIVE else member.user
            p = services.proposal_submit(actor=owner, proposal=p)
            if p.kind == Kind.JOINT:
                p = services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
            made.append(p)
        return made

    return make


def outcome(proposal: Proposal) -> dict:
    """Everything registering leaves behind for one proposal, with its own number abstracted."""
    proposal.refresh_from_db()
    ct = ContentType.objects.get_for_model(Proposal)
    records = DutyRecord.objects.filter(kind="proposal_registered", content_type=ct, object_id=proposal.pk)
    record_ct = ContentType.objects.get_for_model(DutyRecord)
    notices = Notification.objects.filter(link=f"/proposals/{proposal.pk}/", title__startswith="提案已立案")
    return {
        "state": proposal.state,
        "number_ok": proposal.number.endswith(f"第{proposal.serial:04d}号")
        and proposal.registered_at is not None,
        "history": [
            (t.from_state, t.to_state, t.action, t.comment == proposal.number)
            for t in proposal_history(proposal)
        ][-1:],
        "audit": sorted(
            (a.action, a.actor_id, tuple(sorted(a.detail.items())))
            for a in AuditEntry.objects.filter(
                content_type=ct, object_id=str(proposal.pk), action="proposal_register"
            )
        ),
        "duty": sorted((r.member_id, str(r.share), r.status, r.created_by_id, str(r.date)) for r in records),
        "duty_audits": AuditEntry.objects.filter(
            content_type=record_ct, object_id__in=[str(r.pk) for r in records], action="duty_record"
        ).count(),
        "notices": sorted(
            (n.recipient_id, n.title.split("：")[0], n.body == f"提案编号：{proposal.number}")
            for n in notices
        ),
        "channels": ChannelDelivery.objects.filter(notification__in=notices).count(),
    }


def test_bulk_gives_the_same_result_as_one_by_one(make_batch, staff_user):
    one_by_one = make_batch(6)
    bulk = make_batch(6)
    registered_singly = [services.proposal_register(actor=staff_user, proposal=p.pk) for p in one_by_one]
    result = services.proposals_register_bulk(actor=staff_user, proposal_ids=[p.pk for p in reversed(bulk)])
    assert [p.pk for p in result.registered] == sorted(p.pk for p in bulk)
    assert result.failed == []
    for single, many in zip(one_by_one, bulk, strict=True):
        assert outcome(single) == outcome(many)
    # Numbers continue each sequence with no gap or repeat.
    during = [p for p in registered_singly + result.registered if p.during_plenary]
    assert sorted(p.serial for p in during) == list(range(1, len(during) + 1))
    between = [p for p in registered_singly + result.registered if not p.during_plenary]
    assert sorted(p.serial for p in between) == list(range(1, len(between) + 1))
    assert len({p.number for p in registered_singly + result.registered}) == 12


def test_bulk_reports_the_same_refusals_as_one_by_one(make_batch, staff_user, member, plenary):
    ready, done = make_batch(2)
    services.proposal_register(actor=staff_user, proposal=done.pk)
    draft = services.proposal_create(
        actor=member.user,
        title="草稿",
        content="x",
        category=ProposalCategory.objects.get(name="经济"),
        during_plenary=True,
        plenary=plenary,
    )
    result = services.proposals_register_bulk(
        actor=staff_user, proposal_ids=[draft.pk, done.pk, ready.pk, 999999]
    )
    assert [p.pk for p in result.registered] == [ready.pk]
    failed = dict(result.failed)
    assert failed[999999] == "提案不存在。"
    assert failed[done.pk] == "提案当前状态为“已立案”，不能立案。"
    assert failed[draft.pk] == "提案当前状态为“草稿”，不能立案。"


def test_query_count_does_not_grow_with_the_number_of_proposals(make_batch, staff_user):
    counts = []
    for n in (10, 50):
        batch = make_batch(n)
        with CaptureQueriesContext(connection) as ctx:
            result = services.proposals_register_bulk(actor=staff_user, proposal_ids=[p.pk for p in batch])
        assert len(result.registered) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] < 40, counts
