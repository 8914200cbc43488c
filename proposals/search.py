"""Chinese text search for proposals (查重, similar-proposal hints, and the `q` of every proposal list).

Segmentation and the generic query/highlight code are in zhengxie/textsearch.py (shared with 社情民意).
Text is segmented with jieba (plus the committee-domain dictionary in zhengxie/search_data/);
the space-joined words of the title and of the content are stored on the proposal by the services that
write them (search_title, search_content). On PostgreSQL a generated, weighted `tsvector` column over
those words (`simple` configuration, GIN index; migration 0010) answers the query, ranked with
ts_rank_cd. On SQLite (the demo database) a bounded candidate set is ranked in Python with TF-IDF.
"""

import math
import re
from collections import Counter

from zhengxie.textsearch import DICTIONARY, STOPWORDS, idf, index_text, index_texts, segment  # noqa: F401

MAX_QUERY_TERMS = 16
RESULT_LIMIT = 10
SQLITE_CANDIDATES = 2000


def index_fields(title: str, content: str) -> dict:
    return {"search_title": index_text(title), "search_content": index_text(content)}


def query_terms(title: str, content: str = "") -> dict[str, float]:
    """The weighted words of a query text (TF-IDF): title words count triple, each weighed by its
    inverse document frequency; at most MAX_QUERY_TERMS of them (the weightiest)."""
    weights: Counter = Counter()
    for word in segment(title):
        weights[word] += 3.0
    for word in segment(content):
        weights[word] += 1.0
    scored = {w: (1 + math.log(n)) * idf(w) for w, n in weights.items()}
    best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_QUERY_TERMS]
    return dict(best)


def tsquery(terms) -> str:
    """An OR tsquery over the words (each is \\w+ only, so it needs no quoting)."""
    return " | ".join(terms)


def tsquery_two_of(terms) -> str:
    """A tsquery matching documents that contain at least two of the words — two distinct words: a word
    and a part of it (积极性, 极性: search-mode segmentation gives both) count once."""
    terms = list(terms)
    pairs = [(a, b) for i, a in enumerate(terms) for b in terms[i + 1 :] if a not in b and b not in a]
    return " | ".join(f"({a} & {b})" for a, b in pairs) or " | ".join(terms)


def tfidf_rank(terms: dict[str, float], candidates: list[tuple[int, str, str]]) -> list[tuple[int, float]]:
    """Rank (id, search_title, search_content) rows by TF-IDF over the candidate set itself (the SQLite
    path): a term scores its query weight × idf × a saturated term frequency, title words doubled."""
    if not terms or not candidates:
        return []
    docs = []
    df: Counter = Counter()
    for pk, title, content in candidates:
        title_counts = Counter((title or "").split())
        content_counts = Counter((content or "").split())
        docs.append((pk, title_counts, content_counts))
        df.update(set(title_counts) | set(content_counts))
    n = len(docs)
    scored = []
    for pk, title_counts, content_counts in docs:
        score = 0.0
        for term, weight in terms.items():
            tf = 2 * title_counts.get(term, 0) + content_counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + n / (1 + df[term]))
            score += weight * idf * (tf / (tf + 1.2))
        if score > 0:
            scored.append((pk, score))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


# --- the `q` of the proposal lists -------------------------------------------------------------------

# 十五届二次第0031号 (a whole number) · 第0031号 / 0031 / 31 (a serial) · 2026-0031 (a year and a serial).
_SERIAL = re.compile(r"^(?:第)?0*(\d{1,6})(?:号)?$")
_YEAR_SERIAL = re.compile(r"^((?:19|20)\d\d)\s*[-－/年]\s*(?:第)?0*(\d{1,6})(?:号)?$")
_WHOLE_NUMBER = re.compile(r"^\S{2,20}第\d{1,6}号$")
NAME_MAX = 20


def number_lookup(q: str):
    """A Q finding a proposal by its number through an index (unique number, serial), or None when `q`
    is not a number."""
    from django.db.models import Q

    q = q.strip()
    if _WHOLE_NUMBER.match(q):
        return Q(number=q)
    if found := _YEAR_SERIAL.match(q):
        return Q(serial=int(found[2]), submitted_at__year=int(found[1]))
    if found := _SERIAL.match(q):
        return Q(serial=int(found[1]))
    return None


def sees_all_replies(user) -> bool:
    from zhengxie.accounts.models import Role

    return bool(user and user.is_authenticated and user.effective_role in (Role.STAFF, Role.LEADER))


def text_search(qs, q: str, *, all_replies: bool):
    """Filter a proposal queryset by a list's `q` and annotate `search_rank` (higher is better).

    A number goes through the indexes on number / serial. Words match the proposal's title and content
    (search_vector), the text of its DOCX/PDF attachments (search_files_vector) and its replies
    (search_replies_vector: every reply for staff and leaders, otherwise only once the replies are
    published), and an exact proposer name. On SQLite the stored words are matched as substrings."""
    from django.db import connection
    from django.db.models import FloatField, Q, Value

    from members.models import Member
    from zhengxie import textsearch

    q = (q or "").strip()
    if not q:
        return qs
    by_number = number_lookup(q)
    if by_number is not None:
        return qs.filter(by_number).annotate(search_rank=Value(1.0, output_field=FloatField()))
    query = textsearch.parse(q)
    extra = None
    if len(q) <= NAME_MAX and " " not in q:
        names = list(Member.objects.filter(name=q).values_list("pk", flat=True)[:50])
        if names:
            extra = Q(proposer_id__in=names)
    if query is None:
        # Only single characters or stopwords: the title, as typed (rare, and short titles only).
        found = Q(title__icontains=q)
        return qs.filter(found | extra if extra else found).annotate(
            search_rank=Value(0.0, output_field=FloatField())
        )
    if connection.vendor == "postgresql":
        # Replies are searched by everyone once published, before that by staff and leaders only.
        replies = ("{t}.search_replies_vector", 0.4) + (() if all_replies else ("{t}.reply_published",))
        return textsearch.pg_search(
            qs,
            query,
            vectors=[("{t}.search_vector", 1.0), ("{t}.search_files_vector", 0.4), replies],
            title_vector="{t}.search_vector",
            extra=extra,
        )
    fields = ["search_title", "search_content", "search_files"]
    match = textsearch.word_match_q(query, fields)
    if all_replies:
        match |= textsearch.word_match_q(query, ["search_replies"])
    else:
        match |= Q(reply_published=True) & textsearch.word_match_q(query, ["search_replies"])
    return qs.filter(match | extra if extra else match).annotate(
        search_rank=Value(0.0, output_field=FloatField())
    )


def assignment_search(qs, q: str, *, department_id: int | None = None):
    """Filter an assignment queryset (one a reader may see: a department's own) by a list's `q` and annotate
    `search_rank`: the proposal's title and content and its attachments' text (the proposal's tsvectors,
    read per visible row), or the assignment's own replies (content and letter text; never another
    department's). A proposal number goes through the proposal's indexes. `department_id`: `qs` holds only
    that department's assignments (a clerk's list, the portal), so only its replies need reading."""
    from django.db import connection
    from django.db.models import BooleanField, Exists, FloatField, OuterRef, Q, Value

    from zhengxie import textsearch

    from .models import Proposal, Reply

    q = (q or "").strip()
    if not q:
        return qs
    by_number = number_lookup(q)
    if by_number is not None:
        numbered = Proposal.objects.filter(by_number).values("pk")
        return qs.filter(proposal_id__in=numbered).annotate(search_rank=Value(1.0, output_field=FloatField()))
    query = textsearch.parse(q)
    if query is None:
        return qs.filter(proposal__title__icontains=q).annotate(
            search_rank=Value(0.0, output_field=FloatField())
        )
    if connection.vendor == "postgresql":
        # Candidates first: the proposals whose words match through their own GIN indexes (title and
        # content, attachments, or any reply — a department's own reply is among them), so the per-row
        # checks below read those assignments only, not every visible one (21 s at 745k assignments).
        tsquery = " | ".join(query._group_query(g) for g in query.groups)  # any group: looser than relaxed
        if tsquery:
            candidates = Proposal.objects.alias(
                words=textsearch.TableSQL(
                    " OR ".join(
                        f"({{t}}.{column} @@ to_tsquery('simple', %s))"
                        for column in ("search_vector", "search_files_vector", "search_replies_vector")
                    ),
                    [tsquery] * 3,
                    BooleanField(),
                )
            ).filter(words=True)
            # …unless the words are common (the planner's statistics of the words, no rows read) and the
            # list is everyone's: then joining the candidates made the planner merge them with every task
            # in proposal order (420 ms for 养老's 8k proposals at 750k tasks), where walking the tasks in
            # due-date order against the hashed match finds a page and a capped count in ~200 ms.
            if department_id is not None or not _common(tsquery):
                qs = qs.filter(proposal_id__in=candidates.values("pk"))
        # The match itself is one hashed set of the proposals matching the (strict) query, looked up per
        # row, and the department's own replies; the proposal's tsvectors are read per row only to rank.
        found = qs.filter(_assignment_match(query, department_id))
        while (looser := query.relaxed()) is not None and not found.order_by().values("pk")[:1]:
            query = looser
            found = qs.filter(_assignment_match(query, department_id))
        proposal = "(SELECT p.{} FROM proposals_proposal p WHERE p.id = {{t}}.proposal_id)"
        title_vector = proposal.format("search_vector")
        score, params = query.score_sql(
            [(title_vector, 1.0), (proposal.format("search_files_vector"), 0.4)], title_vector
        )
        return found.annotate(search_rank=textsearch.TableSQL(score, params, FloatField()))
    own_reply = Exists(
        Reply.objects.filter(assignment_id=OuterRef("pk")).filter(
            textsearch.word_match_q(query, ["content", "letter_text"], lookup="icontains")
        )
    )
    match = textsearch.word_match_q(
        query, ["proposal__search_title", "proposal__search_content", "proposal__search_files"]
    )
    return qs.filter(match | Q(own_reply)).annotate(search_rank=Value(0.0, output_field=FloatField()))


def _assignment_match(query, department_id: int | None = None):
    """PostgreSQL: the assignments whose proposal matches `query` (title and content, attachments), or whose
    own replies say it: each reply's words have their own GIN index (migration 0016), so the replies are
    found by the index, never by reading their text (a word in nearly every reply took ~6 s at a quarter
    province when each candidate reply's text was matched with LIKE)."""
    from django.db.models import BooleanField, Q

    from zhengxie import textsearch

    from .models import Reply

    own_replies = Reply.objects.alias(
        words=textsearch.TableSQL(
            "{t}.search_vector @@ to_tsquery('simple', %s)", [query.tsquery()], BooleanField()
        )
    ).filter(words=True)
    if department_id is not None:  # its own replies only
        own_replies = own_replies.filter(assignment__department_id=department_id)
    return Q(proposal_id__in=_matching_proposals(query)) | Q(pk__in=own_replies.values("assignment_id"))


def _common(tsquery: str) -> bool:
    """Whether the planner expects `tsquery` in more than COMMON_WORD_SHARE of the proposals' titles and
    contents (two estimates, no rows read)."""
    from django.db.models import BooleanField

    from zhengxie import textsearch
    from zhengxie.paging import estimated_count

    from .models import Proposal

    words = Proposal.objects.alias(
        words=textsearch.TableSQL("{t}.search_vector @@ to_tsquery('simple', %s)", [tsquery], BooleanField())
    ).filter(words=True)
    found, total = estimated_count(words), estimated_count(Proposal.objects.all())
    return bool(found and total) and found > COMMON_WORD_SHARE * total


def _matching_proposals(query):
    """The ids of the proposals whose title and content or attachments match `query` (their GIN indexes)."""
    from django.db.models import BooleanField

    from zhengxie import textsearch

    from .models import Proposal

    tsquery = query.tsquery()
    words = textsearch.TableSQL(
        "({t}.search_vector @@ to_tsquery('simple', %s)) OR ({t}.search_files_vector @@ to_tsquery('simple', %s))",
        [tsquery, tsquery],
        BooleanField(),
    )
    return Proposal.objects.alias(words=words).filter(words=True).values("pk")


# A word the planner's statistics put in more than this share of the proposals is "common" for the task
# lists' search (a word they do not list is estimated at 0.5%).
COMMON_WORD_SHARE = 0.01
# Task lists (the API's assignments, the portal) rank up to this many matches: their match is a hashed
# set looked up per task, so the list's own order (due date) finds a page quickly however rare the word,
# while counting 5,000 matches of a common word read 300k tasks (275 ms at 750k tasks for 养老).
TASK_RANK_LIMIT = 1000


def ordered(qs, params, *default, rank_limit: int | None = None):
    from zhengxie.textsearch import ordered as _ordered

    return _ordered(qs, params, *default, rank_limit=rank_limit)


# --- keeping the attachment and reply words (called by the services that add them) -------------------


def refresh_files(proposal_id: int) -> None:
    """search_files from the stored text of the proposal's attachments."""
    from .models import Proposal, ProposalAttachment

    texts = (
        ProposalAttachment.objects.filter(proposal_id=proposal_id)
        .order_by("id")
        .values_list("text", flat=True)
    )
    Proposal.objects.filter(pk=proposal_id).update(search_files=index_texts(*texts))


def reply_words(content: str, letter_text: str) -> str:
    """A reply's search_words: the words of its content and of its letter's text."""
    return index_texts(content, letter_text)


def refresh_replies(proposal_id: int) -> None:
    """search_replies from the proposal's replies' words (each reply's search_words, in reply order). A
    reply stored before it had words (an upgrade whose migration left them to search_reindex) gets them
    here, so its words are not dropped from the proposal's."""
    from .models import Proposal, Reply

    rows = Reply.objects.filter(assignment__proposal_id=proposal_id).order_by("id")
    words = []
    for pk, stored, content, letter_text in rows.values_list("pk", "search_words", "content", "letter_text"):
        if not stored and (content or letter_text):
            stored = reply_words(content, letter_text)
            Reply.objects.filter(pk=pk).update(search_words=stored)
        words.append(stored)
    Proposal.objects.filter(pk=proposal_id).update(search_replies=" ".join(w for w in words if w))
