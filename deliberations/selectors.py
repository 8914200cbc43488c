"""Reads for deliberation pages, the API, the DOCX and statistics; who may see what is decided here.

Staff and leaders see every deliberation. A member sees those they take part in, a department user those
its department is invited to; anything else is a 404. Hidden posts are shown to staff, leaders and their
author (with the reason), to nobody else.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from members.models import Member
from zhengxie.accounts.models import Role

from .models import Deliberation, Endorsement, Post, Suggestion


def _role(user) -> str | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.effective_role


def _count(qs) -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values("deliberation").annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def with_counts(qs: QuerySet[Deliberation]) -> QuerySet[Deliberation]:
    """post_count (visible posts) and participant_count (the members taking part), one query."""
    through = Deliberation.participants.through
    return qs.annotate(
        post_count=_count(Post.objects.filter(deliberation=OuterRef("pk"), hidden=False)),
        participant_count=_count(through.objects.filter(deliberation=OuterRef("pk"))),
    )


def deliberations_visible_to(user) -> QuerySet[Deliberation]:
    role = _role(user)
    qs = with_counts(Deliberation.objects.select_related("topic")).order_by("-opens_at", "-id")
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        return qs.filter(participants__user=user)
    if role == Role.DEPARTMENT and user.department_id:
        return qs.filter(departments=user.department_id)
    return qs.none()


def access_deliberation(user, pk) -> Deliberation:
    deliberation = deliberations_visible_to(user).filter(pk=pk).first()
    if deliberation is None:
        raise Http404("网络议政不存在。")
    return deliberation


def is_participant(user, deliberation: Deliberation) -> bool:
    role = _role(user)
    if role == Role.MEMBER:
        return deliberation.participants.filter(user=user).exists()
    if role == Role.DEPARTMENT and user.department_id:
        return deliberation.departments.filter(pk=user.department_id).exists()
    return False


def is_moderator(user) -> bool:
    return _role(user) == Role.STAFF


def _visible_posts(user, qs: QuerySet[Post]) -> QuerySet[Post]:
    if _role(user) in (Role.STAFF, Role.LEADER):
        return qs
    return qs.filter(Q(hidden=False) | Q(author=user))


def posts_for(user, deliberation: Deliberation, *, after: int | None = None) -> QuerySet[Post]:
    """The posts the user may see, oldest first, each with endorse_count and endorsed (by this user)."""
    qs = _visible_posts(user, Post.objects.filter(deliberation=deliberation))
    if after:
        qs = qs.filter(pk__gt=after)
    endorsed = Endorsement.objects.filter(post=OuterRef("pk"), user=user.pk if user else None)
    return (
        qs.select_related("member", "department", "author", "hidden_by")
        .annotate(endorse_count=Count("endorsements"), endorsed=Exists(endorsed))
        .order_by("created_at", "id")
    )


def thread(posts) -> list[tuple[Post, list[Post]]]:
    """Top-level posts (pinned first, then oldest first) each with its replies, from one list."""
    posts = list(posts)
    replies: dict[int, list[Post]] = {}
    for post in posts:
        if post.reply_to_id:
            replies.setdefault(post.reply_to_id, []).append(post)
    top = [p for p in posts if not p.reply_to_id]
    top.sort(key=lambda p: (not p.pinned, p.created_at, p.pk))
    return [(p, replies.get(p.pk, [])) for p in top]


def access_post(user, pk) -> Post:
    post = Post.objects.select_related("deliberation").filter(pk=pk).first()
    if post is None:
        raise Http404("发言不存在。")
    deliberation = access_deliberation(user, post.deliberation_id)
    if not _visible_posts(user, Post.objects.filter(pk=post.pk)).exists():
        raise Http404("发言不存在。")
    post.deliberation = deliberation
    return post


def deliberation_suggestions(deliberation: Deliberation) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(deliberation=deliberation)
        .prefetch_related(
            Prefetch("posts", queryset=Post.objects.select_related("member", "department").order_by("id"))
        )
        .order_by("number")
    )


def summary_candidates(deliberation: Deliberation) -> QuerySet[Post]:
    """Posts staff may cite in the summary: every visible one, most endorsed first."""
    return (
        Post.objects.filter(deliberation=deliberation, hidden=False)
        .select_related("member", "department", "author")
        .annotate(endorse_count=Count("endorsements"))
        .order_by("-endorse_count", "id")
    )


def member_of(user) -> Member | None:
    if _role(user) != Role.MEMBER:
        return None
    return Member.objects.filter(user=user).first()


def year_stats(year: int) -> dict:
    """For the year's work report: deliberations opened in the year, their visible posts, the members
    who posted, the suggestions formed."""
    deliberations = Deliberation.objects.filter(opens_at__year=year)
    posts = Post.objects.filter(deliberation__opens_at__year=year, hidden=False)
    return {
        "count": deliberations.count(),
        "posts": posts.count(),
        "participants": posts.exclude(member=None).values("member").distinct().count(),
        "suggestions": Suggestion.objects.filter(deliberation__opens_at__year=year).count(),
    }
