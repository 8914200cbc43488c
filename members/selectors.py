"""Reads of the roster: members, terms with their plenaries, sectors and parties."""

import django_filters
from django.db.models import Prefetch, QuerySet

from .models import Member, Party, Plenary, Sector, SpecialCommittee, Term


def members_visible_to(user) -> QuerySet[Member]:
    """The roster is open to every signed-in user; which fields they see is members.permissions'."""
    if not (user and user.is_authenticated and user.is_active):
        return Member.objects.none()
    return Member.objects.all()


def member_list(*, user) -> QuerySet[Member]:
    """Members with everything a list row shows, in a constant number of queries."""
    return (
        members_visible_to(user)
        .select_related("sector", "party", "term")
        .prefetch_related(Prefetch("committees", queryset=SpecialCommittee.objects.order_by("order", "name")))
        .order_by("name", "id")
    )


class MemberFilter(django_filters.FilterSet):
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label="界别")
    party = django_filters.ModelChoiceFilter(queryset=Party.objects.all(), label="党派")
    status = django_filters.ChoiceFilter(choices=Member.Status.choices, label="状态")
    term = django_filters.ModelChoiceFilter(queryset=Term.objects.all(), label="届")
    committee = django_filters.ModelChoiceFilter(
        field_name="committees", queryset=SpecialCommittee.objects.all(), label="专委会"
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    class Meta:
        model = Member
        fields = ["sector", "party", "status", "term", "committee", "q"]


def terms_with_plenaries() -> QuerySet[Term]:
    """Terms, newest first, each with its plenaries in order."""
    return Term.objects.prefetch_related(
        Prefetch("plenaries", queryset=Plenary.objects.order_by("number"))
    ).order_by("-number")


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.order_by("order", "name")


def party_list() -> QuerySet[Party]:
    return Party.objects.order_by("order", "name")
