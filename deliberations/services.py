"""Every action that changes an online deliberation: one function per action, keyword-only, actor first.

Each runs in a transaction, locks the deliberation (so a post and an early close never cross), checks the
role, the participation and the window, writes the audit row (and the transition log when the state moves)
and records duty points through members.services.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import DutyRecord, Member
from members.services import record_duty
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role, require_role
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import check_upload
from zhengxie.workflow.services import audit_record, transition_record

from . import selectors
from .models import POST_MAX_LENGTH, Deliberation, Endorsement, Post, Suggestion

STAFF_ONLY = "只有机关工作人员可以执行此操作。"
NOT_PARTICIPANT = "您未受邀参加此次网络议政。"
State = Deliberation.State


def _staff(actor):
    require_role(actor, Role.STAFF, message=STAFF_ONLY)


def _lock(deliberation: Deliberation) -> Deliberation:
    return Deliberation.objects.select_for_update().get(pk=deliberation.pk)


def _move(*, actor, deliberation: Deliberation, to_state: str, action: str, comment: str = ""):
    from_state = deliberation.phase()
    deliberation.state = to_state
    deliberation.save()
    transition_record(
        actor=actor,
        target=deliberation,
        from_state=from_state,
        to_state=to_state,
        action=action,
        comment=comment,
    )


@transaction.atomic
def deliberation_create(
    *,
    actor,
    title: str,
    opens_at,
    closes_at,
    description: str = "",
    topic=None,
    participants=None,
    departments=(),
) -> Deliberation:
    """Participants default to every serving member; invited departments reply as the department."""
    _staff(actor)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写议政主题。")
    if opens_at is None or closes_at is None:
        raise InvalidInput("请填写开始时间和结束时间。")
    if closes_at <= opens_at:
        raise InvalidInput("结束时间应晚于开始时间。")
    if closes_at <= timezone.now():
        raise InvalidInput("结束时间不能早于现在。")
    if participants is None:
        participants = list(Member.objects.filter(status=Member.Status.SERVING))
    participants = list(participants)
    if not participants:
        raise InvalidInput("请至少选择一位参与委员。")
    deliberation = Deliberation.objects.create(
        title=title,
        description=(description or "").strip(),
        topic=topic,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    deliberation.participants.set(participants)
    deliberation.departments.set(list(departments or ()))
    transition_record(
        actor=actor, target=deliberation, from_state="", to_state=State.SCHEDULED, action="create"
    )
    audit_record(
        actor=actor,
        action="deliberation_create",
        target=deliberation,
        participants=len(participants),
        departments=len(list(departments or ())),
        topic=topic.pk if topic is not None else None,
    )
    return deliberation


@transaction.atomic
def deliberation_close(*, actor, deliberation: Deliberation) -> Deliberation:
    """Staff close a running deliberation early (it also closes by itself at closes_at)."""
    _staff(actor)
    deliberation = _lock(deliberation)
    if deliberation.phase() != State.OPEN:
        raise TransitionNotAllowed("只有进行中的网络议政可以提前结束。")
    deliberation.closed_at = timezone.now()
    _move(actor=actor, deliberation=deliberation, to_state=State.CLOSED, action="close", comment="提前结束")
    audit_record(actor=actor, action="deliberation_close", target=deliberation)
    return deliberation


def _check_participant(actor, deliberation: Deliberation) -> tuple[Member | None, object]:
    """(member, department) the actor posts as; anyone else is refused (the selectors make it a 404)."""
    if not selectors.is_participant(actor, deliberation):
        raise PermissionDenied(NOT_PARTICIPANT)
    if has_role(actor, Role.MEMBER):
        return Member.objects.get(user=actor), None
    return None, actor.department


def _check_open(deliberation: Deliberation) -> None:
    phase = deliberation.phase()
    if phase == State.SCHEDULED:
        raise InvalidInput(
            f"网络议政尚未开始，{timezone.localtime(deliberation.opens_at):%m月%d日 %H:%M}开始。"
        )
    if phase != State.OPEN:
        raise InvalidInput("网络议政已结束，不能再发言。")


@transaction.atomic
def post_create(*, actor, deliberation: Deliberation, content: str, reply_to=None, attachment=None) -> Post:
    deliberation = _lock(deliberation)
    member, department = _check_participant(actor, deliberation)
    _check_open(deliberation)
    content = (content or "").replace("\r\n", "\n").strip()
    if not content:
        raise InvalidInput("请填写发言内容。")
    if len(content) > POST_MAX_LENGTH:
        raise InvalidInput(f"发言不能超过{POST_MAX_LENGTH}字（现有{len(content)}字）。")
    if reply_to is not None:
        if reply_to.deliberation_id != deliberation.pk or reply_to.hidden:
            raise InvalidInput("所回复的发言不存在。")
        if reply_to.reply_to_id is not None:  # one level of threads: a reply to a reply joins its thread
            reply_to = reply_to.reply_to
    if attachment:
        check_upload(attachment, label="附件")
    post = Post.objects.create(
        deliberation=deliberation,
        reply_to=reply_to,
        author=actor,
        member=member,
        department=department,
        content=content,
        attachment=attachment or "",
    )
    if member is not None:
        record_duty(
            actor=actor,
            member=member,
            kind=DutyRecord.Kind.ONLINE_DELIBERATION,
            date=timezone.localdate(),
            source=post,
            note=deliberation.title[:100],
        )
    audit_record(actor=actor, action="deliberation_post", target=post, deliberation=deliberation.pk)
    return post


@transaction.atomic
def post_hide(*, actor, post: Post, reason: str) -> Post:
    """Staff hide a post with a reason; its author still sees it, with the reason."""
    _staff(actor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写屏蔽原因。")
    if len(reason) > 200:
        raise InvalidInput("屏蔽原因不能超过200字。")
    if post.hidden:
        raise TransitionNotAllowed("该发言已屏蔽。")
    post.hidden, post.hidden_reason, post.hidden_by, post.pinned = True, reason, actor, False
    post.save(update_fields=["hidden", "hidden_reason", "hidden_by", "pinned"])
    audit_record(actor=actor, action="deliberation_post_hide", target=post, reason=reason)
    return post


@transaction.atomic
def post_pin(*, actor, post: Post, pinned: bool = True) -> Post:
    _staff(actor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.hidden and pinned:
        raise InvalidInput("已屏蔽的发言不能置顶。")
    post.pinned = bool(pinned)
    post.save(update_fields=["pinned"])
    audit_record(actor=actor, action="deliberation_post_pin", target=post, pinned=post.pinned)
    return post


@transaction.atomic
def post_endorse(*, actor, post: Post) -> Endorsement:
    """A participant endorses a post once, while the deliberation is open."""
    post = Post.objects.select_for_update().select_related("deliberation").get(pk=post.pk)
    _check_participant(actor, post.deliberation)
    if post.hidden:
        raise InvalidInput("该发言已屏蔽。")
    _check_open(post.deliberation)
    if post.author_id == actor.pk:
        raise InvalidInput("不能赞同自己的发言。")
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(post=post, user=actor)
    except IntegrityError:
        raise InvalidInput("您已赞同过这条发言。") from None
    audit_record(actor=actor, action="deliberation_post_endorse", target=post)
    return endorsement


@transaction.atomic
def deliberation_summarize(*, actor, deliberation: Deliberation, suggestions: list, summary: str = ""):
    """After close: numbered suggestions citing posts; a topic's outcome counts them; each member whose
    post a suggestion adopts earns `online_deliberation_adopted` (once per post)."""
    _staff(actor)
    deliberation = _lock(deliberation)
    phase = deliberation.phase()
    if phase == State.SUMMARIZED:
        raise TransitionNotAllowed("该网络议政已形成成果。")
    if phase != State.CLOSED:
        raise TransitionNotAllowed("网络议政结束后才能形成成果。")
    if not suggestions:
        raise InvalidInput("请至少填写一条建议。")
    posts = {p.pk: p for p in Post.objects.filter(deliberation=deliberation).select_related("member")}
    rows = []
    for index, item in enumerate(suggestions, start=1):
        content = (item.get("content") or "").strip()
        if not content:
            raise InvalidInput(f"第{index}条建议没有内容。")
        cited = []
        for pk in item.get("posts") or []:
            post = posts.get(int(pk))
            if post is None:
                raise InvalidInput(f"第{index}条建议引用的发言{pk}不属于此次网络议政。")
            if post.hidden:
                raise InvalidInput(f"第{index}条建议引用的发言{pk}已被屏蔽。")
            cited.append(post)
        rows.append((index, content, cited))
    adopted = {}
    for number, content, cited in rows:
        suggestion = Suggestion.objects.create(deliberation=deliberation, number=number, content=content)
        suggestion.posts.set(cited)
        for post in cited:
            if post.member_id:
                adopted[post.pk] = post
    today = timezone.localdate()
    for post in adopted.values():
        record_duty(
            actor=actor,
            member=post.member,
            kind=DutyRecord.Kind.ONLINE_DELIBERATION_ADOPTED,
            date=today,
            source=post,
            note=deliberation.title[:100],
        )
    deliberation.summary = (summary or "").strip()
    deliberation.summarized_at = timezone.now()
    _move(
        actor=actor,
        deliberation=deliberation,
        to_state=State.SUMMARIZED,
        action="summarize",
        comment=f"形成建议{len(rows)}条",
    )
    if deliberation.topic_id:
        from consultations.services import topic_add_suggestions

        topic_add_suggestions(
            actor=actor, topic=deliberation.topic, count=len(rows), source=f"deliberation:{deliberation.pk}"
        )
    audit_record(
        actor=actor,
        action="deliberation_summarize",
        target=deliberation,
        suggestions=len(rows),
        adopted_posts=len(adopted),
    )
    return deliberation
