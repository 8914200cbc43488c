"""承办单位考核: a yearly score per department from the configurable AssessmentItem rows, graded by the
AssessmentGrade thresholds, and the Excel for the government's performance office.

Scoring (each active item; the department's counts from proposals.stats.department_rows of that year):
- 按期答复率  weight × on_time / replied (first answers by the due date)
- 面商率      weight × contacted / formal_replied (主办/分办 replies with a 面商 record)
- 满意率      weight × satisfied / rated (proposer's final rating 满意/基本满意)
- 答复类别    weight × (A + B×b_factor + C×c_factor) / (A + B + C)
- 重新办理    − deduction × rehandled (主办/分办 tasks sent back for a second round)
- 逾期        − deduction × (late first answers + tasks open past due today)
- 委员民主评议 weight × the department's mean 民主评议 points of the year (满意 1, 基本满意 0.6, 不满意 0, the
  mean of 办理态度 and 办理结果; issue 20) — seeded inactive, the office turns it on and sets its weight
A rate item with nothing to measure (denominator 0) scores its full weight only when the department has
answered something (e.g. a reply not rated yet); a department that answered nothing scores 0 on every rate
item, so nothing replied can never mean full marks. The total is never below 0; one decimal, half up; a
deduction of nothing is shown as 0.0, never -0.0.

A department with no due work — nothing answered and nothing past its due date — is not scored or ranked:
it is listed after the ranked ones as 无到期任务 (NO_DUE_WORK).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from proposals.models import AssessmentGrade, AssessmentItem
from proposals.stats import Scope, department_rows
from zhengxie import exports
from zhengxie.figures_cache import remembered_figures

Code = AssessmentItem.Code

# Used when the tables are empty (e.g. a flushed test database); the migration seeds the same rows.
DEFAULT_ITEMS = [
    (Code.ON_TIME, "30", "0"),
    (Code.CONTACTED, "20", "0"),
    (Code.SATISFACTION, "30", "0"),
    (Code.RESULT_MIX, "20", "0"),
    (Code.REHANDLING, "0", "2"),
    (Code.OVERDUE, "0", "2"),
]
DEFAULT_GRADES = [("优秀", "90"), ("良好", "80"), ("一般", "60"), ("较差", "0")]
NO_DUE_WORK = "无到期任务"


def assessment_items() -> list[AssessmentItem]:
    items = list(AssessmentItem.objects.filter(is_active=True))
    if not items and not AssessmentItem.objects.exists():
        items = [
            AssessmentItem(code=c, weight=Decimal(w), deduction=Decimal(d), order=i)
            for i, (c, w, d) in enumerate(DEFAULT_ITEMS)
        ]
    return items


def assessment_grades() -> list[tuple[Decimal, str]]:
    grades = [(g.min_score, g.name) for g in AssessmentGrade.objects.all()]
    if not grades:
        grades = [(Decimal(s), n) for n, s in DEFAULT_GRADES]
    return sorted(grades, reverse=True)


def _q(value: Decimal) -> Decimal:
    value = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return abs(value) if value.is_zero() else value  # never "-0.0"


def has_due_work(row: dict) -> bool:
    """Something answered, or something open past its due date: there is work to judge."""
    return bool(row["replied"] or row["overdue"])


def item_score(item: AssessmentItem, row: dict) -> Decimal:
    w = Decimal(item.weight)
    # With nothing to measure, a rate item is full only if the department answered something at all.
    empty = w if row["replied"] else Decimal(0)

    def ratio(part: int, whole: int) -> Decimal:
        return empty if not whole else w * Decimal(part) / Decimal(whole)

    if item.code == Code.ON_TIME:
        return ratio(row["on_time"], row["replied"])
    if item.code == Code.CONTACTED:
        return ratio(row["contacted"], row["formal_replied"])
    if item.code == Code.SATISFACTION:
        return ratio(row["satisfied"], row["rated"])
    if item.code == Code.RESULT_MIX:
        answered = row["a"] + row["b"] + row["c"]
        if not answered:
            return empty
        points = row["a"] + row["b"] * Decimal(str(item.b_factor)) + row["c"] * Decimal(str(item.c_factor))
        return w * points / answered
    if item.code == Code.REHANDLING:
        return -Decimal(item.deduction) * row["rehandled"]
    if item.code == Code.OVERDUE:
        return -Decimal(item.deduction) * (row["late"] + row["overdue"])
    if item.code == Code.MEMBER_REVIEW:
        forms = row.get("review_forms", 0)
        return empty if not forms else w * Decimal(row["review_points"]) / forms
    return Decimal(0)


@dataclass
class AssessmentRow:
    department: int
    name: str
    counts: dict
    scores: dict = field(default_factory=dict)  # item code → score; empty when not scored
    total: Decimal | None = Decimal(0)  # None: no due work, not scored
    grade: str = ""
    rank: int | None = 0  # None: not ranked

    @property
    def scored(self) -> bool:
        return self.total is not None


def grade_for(total: Decimal, grades: list[tuple[Decimal, str]]) -> str:
    for line, name in grades:
        if total >= line:
            return name
    return grades[-1][1] if grades else ""


@remembered_figures
def department_assessment(year: int, *, today=None) -> tuple[list[AssessmentItem], list[AssessmentRow]]:
    """Every department with handling tasks on the year's proposals, best first (ties share a rank); the
    departments with no due work last, unranked, graded NO_DUE_WORK."""
    from proposals.after_selectors import review_results

    items, grades = assessment_items(), assessment_grades()
    reviews = {}
    if any(item.code == Code.MEMBER_REVIEW for item in items):
        reviews = {r["department"]: r for r in review_results(year=year)}
    rows, waiting = [], []
    for counts in department_rows(Scope(year=year), today=today):
        review = reviews.get(counts["department"])
        counts["review_forms"] = review["forms"] if review else 0
        counts["review_points"] = review["points"] if review else Decimal(0)
        row = AssessmentRow(department=counts["department"], name=counts["name"], counts=counts)
        if not has_due_work(counts):
            row.total, row.grade, row.rank = None, NO_DUE_WORK, None
            waiting.append(row)
            continue
        for item in items:
            row.scores[item.code] = _q(item_score(item, counts))
        row.total = max(Decimal(0), _q(sum(row.scores.values(), Decimal(0))))
        row.grade = grade_for(row.total, grades)
        rows.append(row)
    rows.sort(key=lambda r: (-r.total, r.name))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].total == row.total else i + 1
    return items, rows + sorted(waiting, key=lambda r: r.name)


COUNT_COLUMNS = [
    ("assigned", "交办件数"),
    ("replied", "已答复"),
    ("on_time", "按期答复"),
    ("late", "逾期答复"),
    ("overdue", "逾期未答复"),
    ("formal_replied", "主办/分办答复"),
    ("contacted", "已面商"),
    ("a", "A类"),
    ("b", "B类"),
    ("c", "C类"),
    ("rehandled", "重新办理"),
    ("rated", "已测评"),
    ("satisfied", "满意/基本满意"),
]


RULE_NOTES = [
    "逾期 = 首次答复逾期件数 + 当前逾期未答复件数。",
    "比率项目无可计算件数时：该单位已有答复（如尚待测评）按满分计；一件未答复则计0分，未答复不能得满分。",
    f"既无答复、也无已过期限的交办件的单位不参加评分和排名，列在最后，标为“{NO_DUE_WORK}”。",
]


def assessment_table(year: int, *, today=None) -> tuple[list[str], list[list]]:
    items, rows = department_assessment(year, today=today)
    headers = ["排名", "承办单位", *[label for _, label in COUNT_COLUMNS]]
    headers += [f"{item.get_code_display()}得分" for item in items] + ["总分", "等次"]
    body = []
    for r in rows:
        line = [r.rank if r.scored else "—", r.name, *[r.counts[key] for key, _ in COUNT_COLUMNS]]
        if r.scored:
            line += [float(r.scores[item.code]) for item in items] + [float(r.total), r.grade]
        else:
            line += [None for _ in items] + [None, r.grade]
        body.append(line)
    return headers, body


def assessment_workbook(year: int, *, today=None) -> bytes:
    """The 考核 Excel: a title row, a header row, one row per department; a second sheet explains items."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, body = assessment_table(year, today=today)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年承办单位考核"
    exports.append(ws, [f"{year}年度政协提案承办单位考核结果"])
    ws["A1"].font = Font(bold=True, size=14)
    exports.append(ws, headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line in body:
        exports.append(ws, line)
    ws.column_dimensions["B"].width = 24
    rules = wb.create_sheet("考核办法")
    exports.append(rules, ["项目", "分值", "每件扣分", "B类折算", "C类折算"])
    for item in assessment_items():
        exports.append(
            rules,
            [
                item.get_code_display(),
                float(item.weight),
                float(item.deduction),
                float(item.b_factor),
                float(item.c_factor),
            ],
        )
    exports.append(rules, [])
    exports.append(rules, ["等次", "最低分"])
    for line, name in assessment_grades():
        exports.append(rules, [name, float(line)])
    exports.append(rules, [])
    for note in RULE_NOTES:
        exports.append(rules, [note])
    rules.column_dimensions["A"].width = 20
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
