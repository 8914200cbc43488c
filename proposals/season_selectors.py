"""Reads for the plenary season (issue 19): similar proposals (查重), the public disclosure pages and API,
the bulk 交办 screen and the departments' 交办单."""

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.params import parse_int, parse_year

from . import search
from .models import Assignment, Cosigner, Proposal, Reply

State = Proposal.State
SIMILAR_HIDDEN_STATES = (State.DRAFT, State.WITHDRAWN)


def _similar_pool(user) -> QuerySet[Proposal]:
    """What a user may be shown as similar: staff and leaders every proposal past drafting; anyone else
    the published ones and their own."""
    qs = Proposal.objects.exclude(state__in=SIMILAR_HIDDEN_STATES)
    role = getattr(user, "effective_role", None) if user.is_authenticated else None
    if role in (Role.STAFF, Role.LEADER):
        return qs
    member = Member.objects.filter(user=user).only("pk").first() if role == Role.MEMBER else None
    if member is None:
        return qs.filter(is_published=True)
    return Proposal.objects.filter(
        Q(is_published=True) & ~Q(state__in=SIMILAR_HIDDEN_STATES)
        | Q(proposer=member) & ~Q(state=State.WITHDRAWN)
    )


def similar_proposals(user, *, title: str, content: str = "", exclude=None, limit: int = search.RESULT_LIMIT):
    """The proposals most similar to a text (same subject, other words), best first: a list of
    Proposal rows (only the fields a hint shows) each with .score."""
    terms = search.query_terms(title or "", content or "")
    if not terms:
        return []
    qs = _similar_pool(user)
    if exclude not in (None, ""):
        qs = qs.exclude(
            pk__in=[int(pk) for pk in (exclude if isinstance(exclude, list | tuple) else [exclude])]
        )
    fields = ("pk", "number", "title", "state", "submitted_at", "created_at", "is_published")
    if connection.vendor == "postgresql":
        return rank_in_postgres(qs, terms, limit=limit, fields=fields)
    return rank_in_python(qs, terms, limit=limit, fields=fields)


PG_FILTER_TERMS = 8
PG_SCORE_TERMS = 16
PG_CANDIDATES = 300


def _score_sql(terms: dict[str, float]) -> tuple[str, list]:
    """TF-IDF-like score in SQL: each query word the proposal has adds its weight (twice over in the
    title, tsvector weight A), times the square root of how many of the words it has — so one shared
    word in two titles does not outrank a proposal sharing many words of the subject."""
    weighted, matched, params, count_params = [], [], [], []
    for term, weight in terms.items():
        weighted.append(
            "%s * ((search_vector @@ to_tsquery('simple', %s))::int"
            " + (search_vector @@ to_tsquery('simple', %s))::int)"
        )
        params += [round(weight, 4), term, f"{term}:A"]
        matched.append("(search_vector @@ to_tsquery('simple', %s))::int")
        count_params.append(term)
    return f"({' + '.join(weighted)}) * sqrt({' + '.join(matched)})", params + count_params


def rank_in_postgres(qs, terms: dict, *, limit: int, fields):
    """The GIN index finds the proposals that share at least two of the weightiest words; the best
    PG_CANDIDATES of them by plain ts_rank are scored."""
    ordered = sorted(terms, key=lambda t: -terms[t])
    score_sql, score_params = _score_sql({t: terms[t] for t in ordered[:PG_SCORE_TERMS]})
    # Similar means sharing at least two of the weightiest words; a query of one or two words takes any.
    if len(ordered) >= 3:
        filters = [search.tsquery_two_of(ordered[:PG_FILTER_TERMS])]
    else:
        filters = [search.tsquery(ordered)]
    rows = []
    or_query = search.tsquery(ordered[:PG_SCORE_TERMS])
    for query in filters:
        # Stage 1 (cheap, one ts_rank per row): the PG_CANDIDATES best by plain ts_rank; stage 2 scores those.
        candidates = (
            qs.alias(
                matched=RawSQL(
                    "search_vector @@ to_tsquery('simple', %s)", [query], output_field=BooleanField()
                ),
                rough=RawSQL(
                    "ts_rank(search_vector, to_tsquery('simple', %s))", [or_query], output_field=FloatField()
                ),
            )
            .filter(matched=True)
            .order_by("-rough")
            .values("pk")[:PG_CANDIDATES]
        )
        rows = list(
            qs.filter(pk__in=candidates)
            .annotate(score=RawSQL(score_sql, score_params, output_field=FloatField()))
            .only(*fields)
            .order_by("-score", "-pk")[:limit]
        )
    return rows


def rank_in_python(qs, terms: dict, *, limit: int, fields=("pk", "number", "title", "state")):
    """The SQLite path: a bounded candidate set (rows sharing one of the weightiest words, newest first)
    ranked with TF-IDF in Python."""
    best = sorted(terms, key=lambda t: -terms[t])[:10]
    match = Q()
    for term in best:
        match |= Q(search_title__contains=term) | Q(search_content__contains=term)
    candidates = list(
        qs.filter(match)
        .order_by("-pk")
        .values_list("pk", "search_title", "search_content")[: search.SQLITE_CANDIDATES]
    )
    ranked = search.tfidf_rank(terms, candidates)[:limit]
    rows = Proposal.objects.only(*fields).in_bulk([pk for pk, _ in ranked])
    result = []
    for pk, score in ranked:
        row = rows[pk]
        row.score = score
        result.append(row)
    return result


def proposal_year(proposal: Proposal) -> int:
    moment = proposal.submitted_at or proposal.created_at
    return moment.year if moment else None


# --- public disclosure (提案公开) --------------------------------------------------------------------


def public_proposals(params=None) -> QuerySet[Proposal]:
    """Published proposals for the anonymous public: names only (proposer, co-signers, departments),
    replies only where the reply is published. Filters: year (of registration), category, department, q."""
    published_replies = Reply.objects.filter(assignment__proposal__reply_published=True).order_by(
        "handling_round", "id"
    )
    qs = (
        Proposal.objects.filter(is_published=True)
        .select_related("category", "proposer", "term", "plenary")
        .only(
            "pk",
            "number",
            "title",
            "content",
            "kind",
            "organization",
            "state",
            "submitted_at",
            "registered_at",
            "reply_published",
            "published_at",
            "category__name",
            "proposer__name",
            "term",
            "plenary",
        )
        .prefetch_related(
            Prefetch(
                "cosigners",
                queryset=Cosigner.objects.filter(status=Cosigner.Status.CONFIRMED)
                .select_related("member")
                .only("proposal_id", "member__name", "order")
                .order_by("order", "id"),
                to_attr="public_cosigners",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(state=Assignment.State.CANCELLED)
                .select_related("department")
                .prefetch_related(Prefetch("replies", queryset=published_replies, to_attr="public_replies"))
                .order_by("id"),
                to_attr="public_assignments",
            ),
        )
    )
    params = params or {}
    if params.get("year"):
        year = parse_year(params["year"])
        # The year of registration (立案年度): the date the list shows and sorts by, so one index range
        # answers it; filtering on the submission year made the planner walk every newer published row.
        qs = qs.filter(registered_at__year=year) if year else qs.none()
    category = parse_int(params.get("category"))
    if category is not None:
        qs = qs.filter(category_id=category)
    department = parse_int(params.get("department"))
    if department is not None:
        qs = qs.filter(
            Exists(
                Assignment.objects.filter(proposal=OuterRef("pk"), department_id=department).exclude(
                    state=Assignment.State.CANCELLED
                )
            )
        )
    q = (params.get("q") or "").strip()
    if q:
        # The public reads published replies only (reply_published), so only those are searched.
        qs = search.text_search(qs, q, all_replies=False)
    return search.ordered(qs, params, "-registered_at", "-pk")


def public_proposal(pk) -> Proposal:
    try:
        return public_proposals().get(pk=int(pk))
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404("提案不存在或未公开。") from None


# --- bulk 交办 ---------------------------------------------------------------------------------------


def assignable_proposals(params=None) -> QuerySet[Proposal]:
    """Registered proposals waiting for 交办 (the bulk screen), filterable by plenary, category and q."""
    qs = Proposal.objects.filter(state=State.REGISTERED).select_related("category", "proposer")
    params = params or {}
    for name in ("term", "plenary", "category"):
        value = parse_int(params.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    q = (params.get("q") or "").strip()
    if q:
        qs = search.text_search(qs, q, all_replies=True)
    return search.ordered(qs, params, "serial", "pk")


def suggested_departments(proposals) -> dict[int, int]:
    """For each proposal, the department that led the handling of its most similar earlier proposal
    (one similar search per proposal, one query for the departments)."""
    wanted = {}
    for p in proposals:
        terms = search.query_terms(p.title, p.content)
        if not terms:
            continue
        wanted[p.pk] = terms
    if not wanted:
        return {}
    result = {}
    handled = Proposal.objects.filter(
        state__in=[State.ASSIGNED, State.IN_PROGRESS, State.REPLIED, State.REHANDLING, State.CLOSED]
    )
    for pk, terms in wanted.items():
        if connection.vendor == "postgresql":
            query = search.tsquery(terms)
            best = (
                handled.alias(
                    matched=RawSQL(
                        "search_vector @@ to_tsquery('simple', %s)", [query], output_field=BooleanField()
                    )
                )
                .filter(matched=True)
                .annotate(
                    score=RawSQL(
                        "ts_rank_cd(search_vector, to_tsquery('simple', %s), 1)",
                        [query],
                        output_field=FloatField(),
                    )
                )
                .order_by("-score", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
        else:
            ranked = search.tfidf_rank(
                terms,
                list(handled.order_by("-pk").values_list("pk", "search_title", "search_content")[:500]),
            )
            best = ranked[0][0] if ranked else None
        if best:
            result[pk] = best
    leads = dict(
        Assignment.objects.filter(
            proposal_id__in=set(result.values()), role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE]
        )
        .order_by("proposal_id", "id")
        .values_list("proposal_id", "department_id")
    )
    return {pk: leads[src] for pk, src in result.items() if src in leads}
