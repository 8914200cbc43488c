"""Proposal statistics for the work report (issue 9): the figures, the dashboard tables, the summary text.

Every figure is a count summed in the database from two rollup tables, ProposalStatCount and
AssignmentStatCount, which database triggers keep exact on every write to proposals and assignments (using
the stat_* fields the handling services keep up to date) — so a year of a million proposals reads a few
hundred rows. Every rate is derived in Python from counts the same result returns, so the numbers add up.

Definitions (also in README "Statistics" and the API description):
- scope: term / plenary (the proposal's) and year (the calendar year, Asia/Shanghai, of submitted_at);
- received: submitted at least once (submitted_at set), excluding drafts and withdrawn ones;
- registered: state in Proposal.REGISTERED_STATES; replied: state in replied/rehandling/closed;
- registration_rate = registered / received; collective_share_of_registered = registered_collective /
  registered; reply_rate = replied / registered; on_time_reply_rate = replied_on_time / replied (every
  first-round formal reply by its due date); contacted_rate = contacted / replied (a replied proposal with
  at least one 面商 record); rating_rate = rated / replied; satisfaction_rate = satisfied / rated (the
  proposer's final rating 满意 or 基本满意); revisit_rate = revisited / closed (a closed proposal with a 回访
  record, issue 20); outcomes = 成果转化 records on the scope's proposals, by kind;
- by_department counts non-cancelled handling tasks of every role; replied = answered at least once (reply
  or 会办 opinion); on_time = first answer by the due date; overdue = open and past due today; a/b/c = the
  latest reply class; satisfaction over the proposals it handled as 主办/分办 that the proposer rated.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from members.models import Plenary, Term
from proposals.models import (
    Assignment,
    AssignmentStatCount,
    Evaluation,
    Proposal,
    ProposalCategory,
    ProposalStatCount,
)
from zhengxie import exports
from zhengxie.accounts.models import Department
from zhengxie.figures_cache import remembered_figures
from zhengxie.workflow.errors import InvalidInput

State = Proposal.State
Kind = Proposal.Kind
TaskState = Assignment.State
REPLIED_STATES = (State.REPLIED, State.REHANDLING, State.CLOSED)
SATISFIED = (Evaluation.Satisfaction.SATISFIED, Evaluation.Satisfaction.BASICALLY_SATISFIED)
FORMAL_ROLES = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)


def rate(part: int, whole: int) -> float:
    """A percentage with one decimal, rounded half up (2/3 → 66.7, 1/16 → 6.3); 0.0 when whole is 0."""
    if not whole:
        return 0.0
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def percent_text(value: float) -> str:
    """75.7 → "75.7%", 100.0 → "100%"."""
    return f"{value:.1f}".removesuffix(".0") + "%"


@dataclass(frozen=True)
class Scope:
    term: Term | None = None
    plenary: Plenary | None = None
    year: int | None = None

    def as_dict(self) -> dict:
        return {
            "term": self.term.pk if self.term else None,
            "plenary": self.plenary.pk if self.plenary else None,
            "year": self.year,
        }

    @property
    def label(self) -> str:
        parts = []
        if self.plenary:
            parts.append(str(self.plenary))
        elif self.term:
            parts.append(str(self.term))
        if self.year:
            parts.append(f"{self.year}年")
        return "".join(parts) or "全部"


def scope_from_params(params) -> Scope:
    """term / plenary (ids) and year from query parameters; a bad value raises InvalidInput (400)."""

    def number(name, low, high):
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput(f"参数 {name} 应为整数。") from None
        if not low <= value <= high:
            raise InvalidInput(f"参数 {name} 超出范围。")
        return value

    term_id, plenary_id = number("term", 1, 2**31 - 1), number("plenary", 1, 2**31 - 1)
    year = number("year", 1949, 2999)
    term = plenary = None
    if plenary_id is not None:
        plenary = Plenary.objects.select_related("term").filter(pk=plenary_id).first()
        if plenary is None:
            raise InvalidInput("会次不存在。")
        if term_id is not None and plenary.term_id != term_id:
            raise InvalidInput("会次不属于所选届次。")
        term = plenary.term
    elif term_id is not None:
        term = Term.objects.filter(pk=term_id).first()
        if term is None:
            raise InvalidInput("届次不存在。")
    return Scope(term=term, plenary=plenary, year=year)


def received_proposals(scope: Scope):
    qs = Proposal.objects.filter(submitted_at__isnull=False).exclude(state__in=[State.DRAFT, State.WITHDRAWN])
    if scope.term:
        qs = qs.filter(term=scope.term)
    if scope.plenary:
        qs = qs.filter(plenary=scope.plenary)
    if scope.year:
        qs = qs.filter(submitted_at__year=scope.year)
    return qs.order_by()


def scoped_assignments(scope: Scope):
    qs = Assignment.objects.exclude(state=TaskState.CANCELLED)
    if scope.term:
        qs = qs.filter(stat_term=scope.term)
    if scope.plenary:
        qs = qs.filter(stat_plenary=scope.plenary)
    if scope.year:
        qs = qs.filter(stat_year=scope.year)
    return qs.order_by()


# --- proposals -------------------------------------------------------------------------------------


def _task_flags(a: dict) -> dict[str, int]:
    """What a task adds to each count of AssignmentStatCount (1 or 0): the trigger's conditions (migration
    0021), for where there is no trigger."""
    formal = a["role"] in ("lead", "separate")
    answered = a["stat_on_time"] is not None
    flags = {
        "n": True,
        "replied": answered,
        "on_time": a["stat_on_time"] is True,
        "late": a["stat_on_time"] is False,
        "result_a": a["stat_result"] == "A",
        "result_b": a["stat_result"] == "B",
        "result_c": a["stat_result"] == "C",
        "formal_replied": formal and answered,
        "contacted": formal and answered and a["stat_contacted"] is True,
        "rehandled": formal and a["handling_round"] >= 2,
        "rated": formal and a["stat_satisfaction"] != "",
        "satisfied": formal and a["stat_satisfaction"] in SATISFIED,
    }
    return {k: int(v) for k, v in flags.items()}


def rebuild_rollups() -> None:
    """Recompute both rollup tables from the rows themselves (what the PostgreSQL triggers keep current).

    Used where there are no triggers — the embedded SQLite of `make run` — on every read; a demo database
    is small. On PostgreSQL it also repairs the tables after raw bulk loads."""
    from django.utils import timezone as tz

    proposal_counts: Counter = Counter()
    rows = Proposal.objects.filter(submitted_at__isnull=False).exclude(
        state__in=[State.DRAFT, State.WITHDRAWN]
    )
    for p in rows.values_list(
        "term_id",
        "plenary_id",
        "submitted_at",
        "state",
        "kind",
        "category_id",
        "stat_contacted",
        "stat_satisfaction",
        "stat_on_time",
        "stat_revisited",
    ):
        local = tz.localtime(p[2])
        proposal_counts[(p[0], p[1], local.year, local.month, *p[3:])] += 1
    open_states = set(Assignment.OPEN_STATES)
    task_counts: dict[tuple, Counter] = {}
    tasks = Assignment.objects.exclude(state=Assignment.State.CANCELLED)
    for a in tasks.values(
        "stat_term_id",
        "stat_plenary_id",
        "stat_year",
        "department_id",
        "role",
        "state",
        "due_date",
        "stat_on_time",
        "stat_result",
        "stat_contacted",
        "stat_satisfaction",
        "handling_round",
    ):
        is_open = a["state"] in open_states
        key = (
            a["stat_term_id"],
            a["stat_plenary_id"],
            a["stat_year"],
            a["department_id"],
            is_open,
            a["due_date"] if is_open else None,
        )
        task_counts.setdefault(key, Counter()).update(_task_flags(a))
    p_fields = [
        "term_id",
        "plenary_id",
        "year",
        "month",
        "state",
        "kind",
        "category_id",
        "contacted",
        "satisfaction",
        "on_time",
        "revisited",
    ]
    a_fields = ["term_id", "plenary_id", "year", "department_id", "open", "due_date"]
    with transaction.atomic():
        ProposalStatCount.objects.all().delete()
        ProposalStatCount.objects.bulk_create(
            [
                ProposalStatCount(**dict(zip(p_fields, key, strict=True)), n=n)
                for key, n in proposal_counts.items()
            ]
        )
        AssignmentStatCount.objects.all().delete()
        AssignmentStatCount.objects.bulk_create(
            [
                AssignmentStatCount(**dict(zip(a_fields, key, strict=True)), **counts)
                for key, counts in task_counts.items()
            ]
        )


def _rollup(model, scope: Scope):
    if connection.vendor != "postgresql":
        rebuild_rollups()
    qs = model.objects.all()
    if scope.term:
        qs = qs.filter(term_id=scope.term.pk)
    if scope.plenary:
        qs = qs.filter(plenary_id=scope.plenary.pk)
    if scope.year:
        qs = qs.filter(year=scope.year)
    return qs.order_by()


def _proposal_groups(scope: Scope) -> list[dict]:
    """One row per combination of the dimensions the figures need (a few hundred at most)."""
    return list(
        _rollup(ProposalStatCount, scope)
        .values("state", "kind", "category_id", "contacted", "satisfaction", "on_time", "revisited")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
    )


def _totals(groups: list[dict]) -> dict:
    c = Counter()
    for g in groups:
        n, state = g["n"], g["state"]
        registered, replied = state in Proposal.REGISTERED_STATES, state in REPLIED_STATES
        c["received"] += n
        c[g["kind"]] += n
        if registered:
            c["registered"] += n
            if g["kind"] == Kind.COLLECTIVE:
                c["registered_collective"] += n
        c["not_registered"] += n if state == State.NOT_REGISTERED else 0
        c["merged"] += n if state == State.MERGED else 0
        if replied:
            c["replied"] += n
            c["replied_on_time"] += n if g["on_time"] else 0
            c["contacted"] += n if g["contacted"] else 0
            if g["satisfaction"]:
                c["rated"] += n
                c["satisfied"] += n if g["satisfaction"] in SATISFIED else 0
        if state == State.CLOSED:  # 回访 (issue 20): revisited ÷ closed
            c["closed"] += n
            c["revisited"] += n if g.get("revisited") else 0
    return {
        "received": c["received"],
        "collective": c[Kind.COLLECTIVE],
        "individual": c[Kind.INDIVIDUAL],
        "joint": c[Kind.JOINT],
        "registered": c["registered"],
        "registered_collective": c["registered_collective"],
        "not_registered": c["not_registered"],
        "merged": c["merged"],
        "pending_review": c["received"] - c["registered"] - c["not_registered"] - c["merged"],
        "registration_rate": rate(c["registered"], c["received"]),
        "collective_share_of_registered": rate(c["registered_collective"], c["registered"]),
        "replied": c["replied"],
        "reply_rate": rate(c["replied"], c["registered"]),
        "replied_on_time": c["replied_on_time"],
        "on_time_reply_rate": rate(c["replied_on_time"], c["replied"]),
        "contacted": c["contacted"],
        "contacted_rate": rate(c["contacted"], c["replied"]),
        "rated": c["rated"],
        "rating_rate": rate(c["rated"], c["replied"]),
        "satisfied": c["satisfied"],
        "satisfaction_rate": rate(c["satisfied"], c["rated"]),
        "closed": c["closed"],
        "revisited": c["revisited"],
        "revisit_rate": rate(c["revisited"], c["closed"]),
    }


def _by_state(groups: list[dict]) -> list[dict]:
    counts = Counter()
    for g in groups:
        counts[g["state"]] += g["n"]
    return [
        {"state": value, "name": label, "count": counts[value]}
        for value, label in State.choices
        if value not in (State.DRAFT, State.WITHDRAWN)
    ]


def _by_category(groups: list[dict]) -> list[dict]:
    received, registered = Counter(), Counter()
    for g in groups:
        received[g["category_id"]] += g["n"]
        if g["state"] in Proposal.REGISTERED_STATES:
            registered[g["category_id"]] += g["n"]
    categories = ProposalCategory.objects.filter(pk__in=list(received)).order_by("order", "name")
    return [
        {"category": c.pk, "name": c.name, "received": received[c.pk], "registered": registered[c.pk]}
        for c in categories
    ]


# --- departments -----------------------------------------------------------------------------------


def department_rows(scope: Scope, *, department_id: int | None = None, today=None) -> list[dict]:
    """One row per department with handling tasks in the scope, by name (one query)."""
    today = today or timezone.localdate()
    qs = _rollup(AssignmentStatCount, scope)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    # Each figure is a column of the rollup (its condition is in migration 0021); only "overdue" depends on
    # the day, counted from the open tasks' rows by due date.
    columns = {
        "assigned": "n",
        "replied": "replied",
        "on_time": "on_time",
        "late": "late",
        "overdue": None,
        "a": "result_a",
        "b": "result_b",
        "c": "result_c",
        "formal_replied": "formal_replied",
        "contacted": "contacted",
        "rehandled": "rehandled",
        "rated": "rated",
        "satisfied": "satisfied",
    }
    overdue = Sum("n", filter=Q(open=True, due_date__lt=today), default=0)
    sums = {k: Sum(column, default=0) if column else overdue for k, column in columns.items()}
    # Prefixed aliases: an annotation named like a column (on_time, contacted) would shadow it.
    grouped = qs.values("department_id").annotate(**{f"sum_{k}": v for k, v in sums.items()})
    rows = [
        {"department_id": g["department_id"], **{k: g[f"sum_{k}"] for k in sums}}
        for g in grouped
        if g["sum_assigned"]
    ]
    names = dict(
        Department.objects.filter(pk__in=[r["department_id"] for r in rows]).values_list("pk", "name")
    )
    rows.sort(key=lambda r: (names.get(r["department_id"], ""), r["department_id"]))
    result = []
    for row in rows:
        row["department"] = row.pop("department_id")
        row["name"] = names.get(row["department"], "")
        row["on_time_rate"] = rate(row["on_time"], row["replied"])
        row["contacted_rate"] = rate(row["contacted"], row["formal_replied"])
        row["satisfaction_rate"] = rate(row["satisfied"], row["rated"])
        result.append(row)
    return result


# --- the API figures -------------------------------------------------------------------------------


@remembered_figures
def proposal_stats(scope: Scope, *, today=None) -> dict:
    """The whole /stats/proposals/ response for staff and leaders (5 queries)."""
    groups = _proposal_groups(scope)
    departments = department_rows(scope, today=today)
    return {
        "scope": scope.as_dict(),
        **_totals(groups),
        "overdue": sum(r["overdue"] for r in departments),
        "by_state": _by_state(groups),
        "by_department": departments,
        "by_category": _by_category(groups),
        **outcome_counts(scope),
    }


def proposal_totals(scope: Scope) -> dict:
    """The scope's counts and rates of proposals (proposal_stats without departments, states, categories
    and outcomes), one query over the rollup."""
    return _totals(_proposal_groups(scope))


def outcome_counts(scope: Scope) -> dict:
    """成果转化 (issue 20): how many outcomes the scope's proposals produced, by kind (one query)."""
    from proposals.models import Outcome

    qs = Outcome.objects.all()
    if scope.term:
        qs = qs.filter(proposal__term_id=scope.term.pk)
    if scope.plenary:
        qs = qs.filter(proposal__plenary_id=scope.plenary.pk)
    if scope.year:
        qs = qs.filter(proposal__submitted_at__year=scope.year)
    by_kind = dict(qs.order_by().values_list("kind").annotate(n=Count("id")))
    return {
        "outcomes": sum(by_kind.values()),
        "outcomes_by_kind": {k: by_kind.get(k, 0) for k in Outcome.Kind.values},
    }


@remembered_figures
def department_stats(scope: Scope, department_id: int, *, today=None) -> dict:
    """What a department user sees: its own row only, no overall figures."""
    return {
        "scope": scope.as_dict(),
        "by_department": department_rows(scope, department_id=department_id, today=today),
    }


def stats_for(user, scope: Scope, *, today=None) -> dict:
    if user.is_department_user:
        return department_stats(scope, user.department_id, today=today)
    return proposal_stats(scope, today=today)


def by_month(scope: Scope) -> list[dict]:
    """Received proposals by month of submission (local time)."""
    rows = (
        _rollup(ProposalStatCount, scope)
        .values("year", "month")
        .annotate(
            received=Sum("n"),
            registered=Sum("n", filter=Q(state__in=Proposal.REGISTERED_STATES), default=0),
        )
        .filter(received__gt=0)
        .order_by("year", "month")
    )
    return [
        {"month": f"{r['year']}-{r['month']:02d}", "received": r["received"], "registered": r["registered"]}
        for r in rows
    ]


# --- the work-report paragraph ----------------------------------------------------------------------


def _rates_sentence(items: list[tuple[str, float]]) -> str:
    if len({v for _, v in items}) == 1:
        return f"{'、'.join(n for n, _ in items)}均为{percent_text(items[0][1])}"
    return "，".join(f"{n}{percent_text(v)}" for n, v in items)


def summary_text(scope: Scope, stats: dict) -> str:
    """A paragraph for the 常委会工作报告, e.g. "共收到提案202件，其中集体提案40件……"."""
    s = stats
    if not s["received"]:
        return f"{scope.label}尚未收到提案。"
    parts = [
        f"{scope.label}共收到提案{s['received']}件，其中集体提案{s['collective']}件、"
        f"委员联名提案{s['joint']}件、委员个人提案{s['individual']}件。"
    ]
    review = (
        f"经审查立案{s['registered']}件，立案率{percent_text(s['registration_rate'])}，"
        f"其中集体提案{s['registered_collective']}件，占立案总数的"
        f"{percent_text(s['collective_share_of_registered'])}"
    )
    if s["not_registered"]:
        review += f"；不予立案{s['not_registered']}件"
    if s["merged"]:
        review += f"；并案处理{s['merged']}件"
    if s["pending_review"]:
        review += f"；尚在审查{s['pending_review']}件"
    parts.append(review + "。")
    if s["registered"]:
        handled = f"立案提案已办复{s['replied']}件，办复率{percent_text(s['reply_rate'])}"
        if s["replied"]:
            handled += (
                f"，其中按期办复{s['replied_on_time']}件，按期办复率{percent_text(s['on_time_reply_rate'])}"
            )
        parts.append(handled + "。")
    if s["replied"]:
        items = [
            # 办复率 is stated in the sentence before: once is enough.
            ("提案面商率", s["contacted_rate"]),
            ("委员测评率", s["rating_rate"]),
        ]
        if s["rated"]:
            items.append(("委员满意率", s["satisfaction_rate"]))
        if s.get("revisited"):  # once the office records 回访 (issue 20); like 满意率 once anyone rated
            items.append(("回访率", s["revisit_rate"]))
        parts.append(_rates_sentence(items) + "。")
    if s.get("outcomes"):
        parts.append(f"推动出台政策、立项实施、资金投入等成果转化{s['outcomes']}项。")
    return "".join(parts)


# --- the dashboard ---------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    note: str = ""
    chart: str = "bar"  # bar, line or pie
    series: tuple[int, ...] = (1,)  # the columns charted; column 0 is the category axis

    def chart_spec(self) -> dict:
        return {
            "type": self.chart,
            "categories": [str(r[0]) for r in self.rows],
            "series": [{"name": self.headers[i], "data": [r[i] for r in self.rows]} for i in self.series],
        }


def _opinion_section(year: int) -> dict | None:
    """社情民意 figures from the sqyy app (None if that app provides none)."""
    try:
        from sqyy.selectors import opinion_year_counts
    except ImportError:  # pragma: no cover - app not there yet
        return None
    return opinion_year_counts(year)  # the page's few figures, not the whole opinion statistics


def _duty_section(year: int) -> dict | None:
    """The members' duty-score distribution of the year, counted from the yearly scores members.scoring
    keeps (one query over the members, not the year's records; None if absent)."""
    try:
        from members.scoring import year_distribution
    except ImportError:  # pragma: no cover - app not there yet
        return None
    return year_distribution(year)


@remembered_figures
def dashboard(scope: Scope, *, today=None) -> dict:
    """Everything /workbench/stats/ shows: figures, the paragraph and one table per chart."""
    today = today or timezone.localdate()
    stats = proposal_stats(scope, today=today)
    months = by_month(scope)
    side_year = scope.year or today.year
    opinion = _opinion_section(side_year)
    duty = _duty_section(side_year)
    overdue_rows = [r for r in stats["by_department"] if r["overdue"]]
    overdue_rows.sort(key=lambda r: (-r["overdue"], r["name"]))
    tables = [
        Table("state", "提案按状态", ["状态", "件数"], [[r["name"], r["count"]] for r in stats["by_state"]]),
        Table(
            "category",
            "提案按类别",
            ["类别", "收到", "立案"],
            [[r["name"], r["received"], r["registered"]] for r in stats["by_category"]],
            series=(1, 2),
        ),
        Table(
            "department",
            "承办单位办理情况",
            ["承办单位", "交办", "已答复", "按期", "逾期未答复", "A类", "B类", "C类", "满意率(%)"],
            [
                [
                    r["name"],
                    r["assigned"],
                    r["replied"],
                    r["on_time"],
                    r["overdue"],
                    r["a"],
                    r["b"],
                    r["c"],
                    r["satisfaction_rate"],
                ]
                for r in stats["by_department"]
            ],
            series=(1, 2, 4),
        ),
        Table(
            "month",
            "提案按月份（提交时间）",
            ["月份", "收到", "立案"],
            [[r["month"], r["received"], r["registered"]] for r in months],
            chart="line",
            series=(1, 2),
        ),
        Table(
            "overdue",
            f"当前逾期未答复（截至{today:%Y-%m-%d}）",
            ["承办单位", "逾期件数"],
            [[r["name"], r["overdue"]] for r in overdue_rows],
        ),
    ]
    if opinion is not None:
        tables.append(
            Table(
                "opinion",
                f"{side_year}年社情民意采用情况",
                ["项目", "数量"],
                [
                    ["收到", opinion.get("received", 0)],
                    ["采用", opinion.get("adopted", 0)],
                    ["编发期数", opinion.get("published_issues", 0)],
                    ["获批示件数", opinion.get("instructed", 0)],
                ],
                note=f"采用率 {percent_text(opinion.get('adoption_rate', 0.0))}（采用 ÷ 收到）",
            )
        )
        tables.append(
            Table(
                "instruction",
                f"{side_year}年社情民意领导批示",
                ["批示层级", "次数"],
                [[r["name"], r["count"]] for r in opinion.get("instructions_by_level", [])],
                chart="pie",
            )
        )
    if duty is not None:
        tables.append(
            Table(
                "duty",
                f"{side_year}年委员履职积分分布（{duty['members']}人）",
                ["分数段", "人数"],
                [[label, n] for label, n in duty["bands"]],
                note="等次：" + "，".join(f"{g} {n}人" for g, n in duty["grades"]),
            )
        )
    return {
        "scope": scope,
        "stats": stats,
        "summary": summary_text(scope, stats),
        "side_year": side_year,
        "opinion_available": opinion is not None,
        "duty_available": duty is not None,
        "tables": tables,
    }


def table_rows_by_key(tables: list[Table]) -> dict[str, Table]:
    return {t.key: t for t in tables}


# --- exports ---------------------------------------------------------------------------------------


def table_csv(table: Table) -> bytes:
    """UTF-8 with BOM so Excel opens the Chinese headers correctly."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(exports.row(table.headers))
    writer.writerows(exports.row(r) for r in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table, *, heading: str = "") -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = exports.doc_text(table.title)[:31]
    if heading:
        exports.append(ws, [heading])
        ws["A1"].font = Font(bold=True)
    exports.append(ws, table.headers)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        exports.append(ws, row)
    for column in ws.columns:
        ws.column_dimensions[column[0].column_letter].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
