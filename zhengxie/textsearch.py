"""Chinese full-text search shared by every app (proposals, 社情民意): segmentation, the text of uploaded
files, query parsing into PostgreSQL tsqueries, relevance SQL, and safe highlighting.

Text is segmented with jieba's search mode plus the committee-domain dictionary
(search_data/committee_dict.txt). The services that write a record store its space-joined words in plain
text columns (`search_title`, `search_content`, ...); a generated, weighted `tsvector` over them (the
`simple` configuration, GIN index) answers the `q` of every list on PostgreSQL. A query is parsed into
*groups*: each word the user typed (jieba's precise mode) OR the AND of its parts (search mode), so 老旧小区
also finds a text segmented as 老旧 … 小区. One or two groups must all match; more must match at least two
(three from five on), so a paraphrase still finds its subject; relevance then weighs every matched word by
its inverse document frequency (jieba's table of a general corpus), title matches counting more.

On SQLite (the demo database) the same words filter with substring matches on the stored words.
"""

import html
import io
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations
from pathlib import Path

from django.db.models import Expression
from django.utils.safestring import SafeString, mark_safe

DICTIONARY = Path(__file__).parent / "search_data" / "committee_dict.txt"
MAX_GROUPS = 8
# Stored text of one uploaded file (what is indexed): enough for any proposal attachment.
FILE_TEXT_MAX = 200_000
HIGHLIGHT_CLASS = "search-hit"

# Words that every proposal says; they carry no subject.
STOPWORDS = frozenset(
    """
    关于 建议 提案 进一步 加强 推进 推动 完善 提升 提高 促进 加快 加大 做好 切实 有效 相关 工作 问题 方面
    我们 我市 我县 我区 我省 全市 全县 全区 目前 当前 存在 一些 部分 没有 以及 因此 通过 进行 实现 需要
    同时 其中 一是 二是 三是 四是 五是 六是 有关 对于 为了 可以 应当 应该 不断 积极 认真 各级 部门 政府
    一个 这些 那些 已经 还是 还有 不够 较为 比较 情况 措施 办法 意见 方案 机制 体系 建设 发展 服务 管理
    """.split()
)
_WORD = re.compile(r"^[\w]+$")


@cache
def _tokenizer():
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(DICTIONARY))
    return tokenizer


def _keep(word: str) -> bool:
    return len(word) >= 2 and word not in STOPWORDS and bool(_WORD.match(word)) and not word.isdigit()


def segment(text: str) -> list[str]:
    """The searchable words of a text: jieba's search-mode segmentation (long words and their parts),
    lower-cased, without punctuation, single characters and stopwords."""
    if not text:
        return []
    words = []
    for word in _tokenizer().cut_for_search(text):
        word = word.strip().lower()
        if _keep(word):
            words.append(word)
    return words


def index_text(text: str) -> str:
    """The space-joined words stored in a search_* column."""
    return " ".join(segment(text))


def index_texts(*texts) -> str:
    return " ".join(filter(None, (index_text(t) for t in texts if t)))


@cache
def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies (a general Chinese corpus) and their median for unseen words."""
    import jieba.analyse

    path = Path(jieba.analyse.__file__).parent / "idf.txt"
    table = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word, _, value = line.strip().partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2]


def idf(word: str) -> float:
    table, median = _idf_table()
    return table.get(word, median)


# --- the text of uploaded files ----------------------------------------------------------------------


def file_text(uploaded, name: str = "") -> str:
    """The plain text of a DOCX or PDF (or TXT) upload, for the search index; '' for any other type or a
    file that cannot be read. The file is read from its start and left rewound."""
    name = (name or getattr(uploaded, "name", "") or "").lower()
    kind = name.rsplit(".", 1)[-1] if "." in name else ""
    if kind not in ("docx", "pdf", "txt"):
        return ""
    try:
        uploaded.seek(0)
        data = uploaded.read()
    except (OSError, ValueError):
        return ""
    finally:
        try:
            uploaded.seek(0)
        except (OSError, ValueError):
            pass
    try:
        if kind == "docx":
            text = _docx_text(data)
        elif kind == "pdf":
            text = _pdf_text(data)
        else:
            text = data.decode("utf-8", errors="ignore")
    except Exception:  # a damaged or hostile file: it is stored, just not searchable
        return ""
    return text.replace("\x00", "")[:FILE_TEXT_MAX]


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(p for p in parts if p)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages[:500]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= FILE_TEXT_MAX:
            break
    return "\n".join(parts)


# --- queries -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed `q`: the groups (a word and its parts), the weighted words, and the words to highlight."""

    text: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    weights: tuple[tuple[str, float], ...]
    relax: int = 0

    @property
    def words(self) -> list[str]:
        return [word for word, _ in self.weights]

    def _group_query(self, group, label: str = "") -> str:
        word, parts = group
        if not parts:
            return f"{word}{label}"
        joined = " & ".join(f"{p}{label}" for p in parts)
        return f"({word}{label} | ({joined}))"

    @property
    def needed(self) -> int:
        """How many groups a match must have (one fewer once relaxed)."""
        n = len(self.groups)
        strict = n if n <= 2 else (2 if n <= 4 else 3)
        return max(1, strict - self.relax)

    def relaxed(self) -> "Query | None":
        """The same query asking one group fewer (when the strict one finds nothing); None if it cannot."""
        if self.needed <= 1:
            return None
        return Query(text=self.text, groups=self.groups, weights=self.weights, relax=self.relax + 1)

    def tsquery(self) -> str:
        """The filter: every group when there are one or two, else any `needed` of them."""
        groups = [self._group_query(g) for g in self.groups]
        if self.needed == len(groups):
            return " & ".join(groups)
        if self.needed == 1:
            return " | ".join(groups)
        return " | ".join(f"({' & '.join(c)})" for c in combinations(groups, self.needed))

    def any_tsquery(self) -> str:
        return " | ".join(self.words)

    def score_sql(self, vectors: list[tuple[str, float]], title_vector: str) -> tuple[str, list]:
        """Relevance: per query word, its IDF weight times ts_rank of that word in `title_vector` (tsvector
        weights: a title word A counts 1.0, content B 0.4); each other vector of `vectors` (SQL expressions,
        each may carry its own visibility condition) adds ts_rank of the whole query times its factor.
        One ts_rank per word plus one per other vector: each reads its tsvector once per row."""
        parts, params = [], []
        for word, weight in self.weights:
            parts.append(f"ts_rank('{{0.1,0.2,0.4,1.0}}', {title_vector}, to_tsquery('simple', %s)) * %s")
            params += [word, round(weight, 4)]
        mean = sum(w for _, w in self.weights) / max(len(self.weights), 1)
        for expression, factor, *condition in vectors:
            if expression == title_vector:
                continue
            if condition:
                expression = f"CASE WHEN {condition[0]} THEN {expression} ELSE ''::tsvector END"
            parts.append(f"ts_rank('{{1,1,1,1}}', ({expression}), to_tsquery('simple', %s)) * %s")
            params += [self.any_tsquery(), round(mean * factor, 4)]
        return "(" + " + ".join(parts) + ")", params


@lru_cache(maxsize=512)
def parse(q: str) -> Query | None:
    """The query of a list's `q`; None when it has no searchable word (a single character, only
    stopwords or digits)."""
    text = " ".join((q or "").split())[:200]
    if not text:
        return None
    tokenizer = _tokenizer()
    groups: dict[str, tuple[str, ...]] = {}
    for token in tokenizer.cut(text):
        token = token.strip().lower()
        if not _keep(token) or token in groups:
            continue
        parts = tuple(
            dict.fromkeys(
                p.lower() for p in tokenizer.cut_for_search(token) if p.lower() != token and _keep(p.lower())
            )
        )
        groups[token] = parts
    if not groups:
        return None
    # The weightiest groups when there are too many.
    chosen = sorted(groups.items(), key=lambda kv: -idf(kv[0]))[:MAX_GROUPS]
    chosen.sort(key=lambda kv: list(groups).index(kv[0]))
    weights: dict[str, float] = {}
    for word, parts in chosen:
        weights.setdefault(word, idf(word))
        for part in parts:
            weights.setdefault(part, idf(part) * 0.5)
    return Query(text=text, groups=tuple(chosen), weights=tuple(weights.items()))


def word_match_q(query: Query, fields: list[str], *, lookup: str = "contains"):
    """SQLite: the records whose stored words contain the groups (any `needed` of them), as a Q. With
    lookup="icontains" it also matches raw text (the words are pieces of it, lower-cased)."""
    from django.db.models import Q

    def group_q(group):
        word, parts = group
        found = Q()
        for field in fields:
            found |= Q(**{f"{field}__{lookup}": word})
        if parts:
            every = Q()
            for part in parts:
                some = Q()
                for field in fields:
                    some |= Q(**{f"{field}__{lookup}": part})
                every &= some
            found |= every
        return found

    groups = [group_q(g) for g in query.groups]
    match = Q()
    for combo in combinations(groups, query.needed):
        both = Q()
        for item in combo:
            both &= item
        match |= both
    return match


# --- highlighting ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _pattern(q: str):
    query = parse(q)
    if query is None:
        return None
    words = sorted({w for w in query.words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text, q: str) -> SafeString:
    """`text` HTML-escaped, with the words of `q` wrapped in <mark class="search-hit">: the raw text is
    split on the matches first and every piece escaped, so no markup of the text survives."""
    text = "" if text is None else str(text)
    pattern = _pattern((q or "").strip()) if q else None
    if pattern is None:
        return mark_safe(html.escape(text))
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f'<mark class="{HIGHLIGHT_CLASS}">{html.escape(match.group(0))}</mark>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text, q: str, *, width: int = 60) -> SafeString:
    """A short excerpt of `text` around the first matched word, highlighted; '' when nothing matches."""
    text = " ".join(("" if text is None else str(text)).split())
    pattern = _pattern((q or "").strip()) if q else None
    match = pattern.search(text) if pattern else None
    if match is None:
        return mark_safe("")
    start = max(0, match.start() - width // 2)
    end = min(len(text), start + width)
    piece = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return highlight(piece, q)


# Ranking reads every match's tsvectors: a word found in most rows (具体 in 80% of 50k proposals) took
# ~2 s. Past this many matches (a count capped at RANK_LIMIT + 1 rows) the list keeps its own order and the
# page says so (`search_by_time`). Not lower: a word in fewer rows makes the list's own order walk its index
# for long between matches (at 250k proposals, a word in 1,500 rows took longer by date than ranked). Tests
# lower it.
RANK_LIMIT = 5000
BY_TIME_NOTE = "匹配较多，按时间排序；请加关键词缩小范围"


def ordered(qs, params, *default, rank_limit: int | None = None):
    """A list's order: by relevance (search_rank) when it has a `q`, unless `ordering` asks for the list's
    own order (any value but "relevance"), then `default`. When the `q` matches more than `rank_limit`
    (RANK_LIMIT) rows the list is not ranked but ordered by `default`, and marked (see `by_time`)."""
    if wants_relevance(params):
        from zhengxie.paging import capped_count

        if not capped_count(qs, RANK_LIMIT if rank_limit is None else rank_limit)[1]:
            from django.db.models import BooleanField, Value

            return qs.order_by(*default).alias(search_by_time=Value(True, output_field=BooleanField()))
        return qs.order_by("-search_rank", *default)
    return qs.order_by(*default)


def by_time(qs) -> bool:
    """Whether `ordered` left this list in its own order because its `q` matched too many rows."""
    return qs is not None and hasattr(qs, "query") and "search_by_time" in qs.query.annotations


def with_snippets(page, q: str, *, fields=("content",)):
    """The rows of a list page with `search_snippet` (a highlighted excerpt of the first of `fields` that
    matches `q`, or ''): one query for the page whatever the list loaded (a list may defer the text)."""
    rows = list(page.object_list) if page is not None else []
    if page is not None:
        page.object_list = rows
        page.search_by_time = by_time(getattr(page.paginator, "object_list", None))
    q = (q or "").strip()
    if not rows or not q:
        # Every row answers `search_snippet`: a template's miss makes Django's engine dir() the row.
        for row in rows:
            row.search_snippet = ""
        return rows
    model = type(rows[0])
    if any(field in row.get_deferred_fields() for row in rows for field in fields):
        texts = {
            pk: values
            for pk, *values in model.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", *fields)
        }
    else:  # the list read the text already (the published list shows it whole)
        texts = {row.pk: [getattr(row, field) for field in fields] for row in rows}
    for row in rows:
        row.search_snippet = next(
            (s for s in (snippet(text, q) for text in texts.get(row.pk, [])) if s), mark_safe("")
        )
    return rows


def wants_relevance(params) -> bool:
    """Rank by relevance when there is a `q`, unless `ordering` asks for the list's own order."""
    if not (params.get("q") or "").strip():
        return False
    return (params.get("ordering") or "relevance").strip() == "relevance"


# --- PostgreSQL -------------------------------------------------------------------------------------


class TableSQL(Expression):
    """Raw SQL whose `{t}` is the queryset's own table alias (the model's table, or U0 inside a subquery),
    so a column outside the model (a generated tsvector) is never ambiguous in a self-join."""

    def __init__(self, sql: str, params, output_field):
        super().__init__(output_field=output_field)
        self.sql, self.params = sql, list(params)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return "(" + self.sql.replace("{t}", table) + ")", self.params

    def get_group_by_cols(self):
        return [self]


def pg_search(qs, query: Query, *, vectors: list[tuple[str, float]], title_vector: str, extra=None):
    """Filter `qs` to the records matching `query` in any of the tsvector expressions `vectors` (SQL with
    `{t}` for the table; each with its weight in the relevance, and optionally a SQL condition under which
    the reader may search it), or `extra` (a Q, e.g. an exact number);
    annotate `search_rank`. Each vector has its own GIN index: the planner ORs the index scans. When
    nothing matches, the query asks one group fewer (a paraphrase sharing fewer words), at the cost of one
    count query per relaxation (none for a one-word query)."""
    found = _pg_search(qs, query, vectors=vectors, title_vector=title_vector, extra=extra)
    # count(), not exists(): LIMIT 1 over an OR of tsvector matches gets a sequential scan when there is
    # no match (seconds at 50k rows); the count is a bitmap scan of the GIN indexes.
    while (looser := query.relaxed()) is not None and found.count() == 0:
        query = looser
        found = _pg_search(qs, query, vectors=vectors, title_vector=title_vector, extra=extra)
    return found


def _pg_search(qs, query: Query, *, vectors, title_vector, extra):
    from django.db.models import BooleanField, FloatField, Q

    tsquery = query.tsquery()
    # A vector's condition (who may read it) is ANDed outside the match, never folded into the vector
    # (CASE … THEN vector): the match must stay `column @@ query` for its GIN index to answer it.
    match = " OR ".join(
        f"({condition[0] + ' AND ' if condition else ''}({expression}) @@ to_tsquery('simple', %s))"
        for expression, _, *condition in vectors
    )
    score, params = query.score_sql(vectors, title_vector)
    qs = qs.alias(search_match=TableSQL(match, [tsquery] * len(vectors), BooleanField()))
    condition = Q(search_match=True)
    if extra is not None:
        condition |= extra
    return qs.filter(condition).annotate(search_rank=TableSQL(score, params, FloatField()))
