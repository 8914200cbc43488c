"""The 社情民意 lists' rows (the staff inbox, a member's own reports) and the report state badge, written in one
pass. The markup is what the template loops and the badge include wrote; every stored text is escaped as
`{{ }}` escaped it."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from zhengxie.cells import date, url_by_pk, value
from zhengxie.textsearch import highlight

register = template.Library()

BADGE_CLASS = {
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "adopted": "text-bg-success",
    "published": "text-bg-success",
    "forwarded": "text-bg-success",
    "not_adopted": "text-bg-secondary",
    "transferred": "text-bg-info",
    "closed": "text-bg-dark",
}
BADGE_OTHERWISE = "text-bg-light border"
SNIPPET_TESTID = ' data-testid="search-snippet"'


@register.simple_tag
def report_badge(r) -> SafeString:
    """The report's state as a coloured badge, and 急事急报 when it is urgent."""
    css = BADGE_CLASS.get(r.state, BADGE_OTHERWISE)
    urgent = ' <span class="badge text-bg-danger">急事急报</span>' if r.is_urgent else ""
    return mark_safe(
        f'<span class="badge {css}" data-testid="state">{value(r.get_state_display())}</span>{urgent}'
    )


def _instructions(r, label) -> str:
    n = r.instruction_count
    return f' <span class="badge text-bg-danger">{label} {value(n)}</span>' if n else ""


def _snippet(r, testid="") -> str:
    snippet = getattr(r, "search_snippet", "")
    return (
        f'<div class="small text-body-secondary search-snippet"{testid}>{value(snippet)}</div>'
        if snippet
        else ""
    )


def _bulletin(r):
    """The bulletin issue the report was printed in, or None."""
    entry = getattr(r, "bulletin_entry", None)  # a report not in a bulletin has none
    return entry.bulletin.issue_label if entry else None


@register.simple_tag
def inbox_rows(rows, q="") -> SafeString:
    """The staff inbox: title (its search hit), state and instructions, who reflected it, category, submitted,
    whether it came from a proposal, the bulletin issue."""
    url = url_by_pk("sqyy:staff_detail")
    out = []
    for r in rows:
        issue = _bulletin(r)
        out.append(
            f'<a class="list-group-item list-group-item-action" href="{url(r.pk)}">\n'
            '<div class="d-flex flex-wrap justify-content-between gap-1">\n'
            f'<span class="fw-semibold text-break">{highlight(r.final_title, q)}</span>{_snippet(r)}\n'
            f"<span>{report_badge(r)}{_instructions(r, '批示')}</span>\n"
            "</div>\n"
            '<div class="small text-body-secondary">\n      '
            f"{value(r.get_reflector_kind_display())}：{value(r.reflector_display)} · "
            f"{value(r.category or '未分类')} · 报送于 {date(r.submitted_at, 'Y-m-d H:i')}"
            f"{' · 由提案转来' if r.proposal_source else ''}{f' · {value(issue)}' if issue else ''}\n    "
            "</div>\n"
            "</a>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def my_report_rows(rows, q="") -> SafeString:
    """A member's own reports: title (its search hit), state and instructions, snippet, category, the bulletin
    issue, updated."""
    url = url_by_pk("sqyy:my_detail")
    out = []
    for r in rows:
        issue = _bulletin(r)
        out.append(
            f'<a class="list-group-item list-group-item-action" href="{url(r.pk)}">\n'
            '<div class="d-flex flex-wrap justify-content-between gap-1">\n'
            f'<span class="fw-semibold text-break">{highlight(r.final_title, q)}</span>\n'
            f"<span>{report_badge(r)}{_instructions(r, '获批示')}</span>\n"
            "</div>\n"
            f"{_snippet(r, SNIPPET_TESTID)}\n"
            '<div class="small text-body-secondary">\n      '
            f"{value(r.category or '未分类')}{f' · 刊于{value(issue)}' if issue else ''} · "
            f"更新于 {date(r.updated_at, 'Y-m-d')}\n    "
            "</div>\n"
            "</a>"
        )
    return mark_safe("\n".join(out))
