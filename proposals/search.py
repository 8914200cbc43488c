"""Chinese text search for proposals (查重 and similar-proposal hints).

Text is segmented with jieba (plus the committee-domain dictionary in search_data/committee_dict.txt);
the space-joined words of the title and of the content are stored on the proposal by the services that
write them (search_title, search_content). On PostgreSQL a generated, weighted `tsvector` column over
those words (`simple` configuration, GIN index; migration 0010) answers the query, ranked with
ts_rank_cd. On SQLite (the demo database) a bounded candidate set is ranked in Python with TF-IDF.
"""

import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

DICTIONARY = Path(__file__).parent / "search_data" / "committee_dict.txt"
MAX_QUERY_TERMS = 16
RESULT_LIMIT = 10
SQLITE_CANDIDATES = 2000

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


def segment(text: str) -> list[str]:
    """The searchable words of a text: jieba's search-mode segmentation (long words and their parts),
    lower-cased, without punctuation, single characters and stopwords."""
    if not text:
        return []
    words = []
    for word in _tokenizer().cut_for_search(text):
        word = word.strip().lower()
        if len(word) < 2 or word in STOPWORDS or not _WORD.match(word) or word.isdigit():
            continue
        words.append(word)
    return words


def index_text(text: str) -> str:
    """The space-joined words stored in search_title / search_content."""
    return " ".join(segment(text))


def index_fields(title: str, content: str) -> dict:
    return {"search_title": index_text(title), "search_content": index_text(content)}


@cache
def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's inverse document frequencies (a general Chinese corpus) and their median for unseen words:
    the IDF half of TF-IDF, with no per-query counting in the database."""
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
