"""The rows of the staff proposal tables and the state badge, written in one pass.

The markup is what the template loops they replace wrote; in Django's template engine a row cost ~0.2 ms (an
include for the badge, a dozen lookups, their escapes), 50 rows a page and most of a list page's time. Every
value is escaped here as `{{ }}` escaped it (conditional_escape: safe strings, like a highlighted title,
pass as they are).
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from zhengxie.cells import url_by_pk as _urls
from zhengxie.textsearch import highlight

register = template.Library()

# The badge colour of each state (proposals that are registered and beyond: green).
BADGE_CLASS = {
    "draft": "text-bg-secondary",
    "awaiting_cosigners": "text-bg-info",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "not_registered": "text-bg-dark",
    "withdrawn": "text-bg-dark",
    "merged": "text-bg-light border",
}
BADGE_OTHERWISE = "text-bg-success"


def _e(value) -> str:
    return conditional_escape("" if value is None else value)


@register.simple_tag
def state_badge(p) -> SafeString:
    """The state of a proposal as a coloured badge, with its number once it has one."""
    number = f" · {_e(p.number)}" if p.number else ""
    return mark_safe(
        f'<span class="badge {BADGE_CLASS.get(p.state, BADGE_OTHERWISE)}" data-testid="state-badge">'
        f"{_e(p.get_state_display())}{number}</span>"
    )


def _title_cell(p, q, url, after="") -> str:
    """The title linked (its search words marked), `after` it, then the search snippet if any."""
    snippet = getattr(p, "search_snippet", "")
    return f'<a href="{url}">{highlight(p.title, q)}</a>{after}' + (
        f'<div class="small text-body-secondary search-snippet">{_e(snippet)}</div>' if snippet else ""
    )


@register.simple_tag
def register_rows(rows, q="") -> SafeString:
    """提案总览's rows: number, title (its search hit), proposers, category, units, state."""
    review = _urls("proposals:review")
    out = []
    for p in rows:
        n = len(p.cosigners.all())
        together = f'<span class="small text-body-secondary"> 等{n + 1}人</span>' if n else ""
        key = ' <span class="badge text-bg-danger">重点</span>' if p.is_key else ""
        units = "".join(
            f"{_e(a.department.name)}（{_e(a.get_role_display())}）"
            for a in p.assignments.all()
            if a.state != "cancelled"
        )
        out.append(
            "<tr>"
            f'<td class="small text-nowrap">{_e(p.number or "—")}</td>'
            f'<td class="text-break">{_title_cell(p, q, review(p.pk), key)}</td>'
            f"<td>{_e(p.proposer_display)}{together}</td>"
            f'<td class="d-none d-md-table-cell">{_e(p.category.name)}</td>'
            f'<td class="d-none d-md-table-cell small">{units}</td>'
            f"<td>{state_badge(p)}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def review_queue_rows(rows, q="", can_act=False) -> SafeString:
    """提案审查's rows: (a box to tick for 批量立案), title, kind and session, proposer, category, co-signers
    and their answers, state, submitted."""
    review = _urls("proposals:review")
    out = []
    for p in rows:
        tick = ""
        if can_act:
            box = (
                f'<input type="checkbox" class="form-check-input" name="ids" value="{p.pk}" '
                f'aria-label="选择 {_e(p.title)}">'
                if p.state == "submitted"
                else ""
            )
            tick = f"<td>{box}</td>"
        session = f" · {_e(p.plenary.short_name)}" if p.plenary else " · 闭会期间"
        cosigners = "、".join(
            f"{_e(c.member.name)}（{_e(c.get_status_display())}）" for c in p.cosigners.all()
        )
        submitted = date_filter(template_localtime(p.submitted_at), "Y-m-d H:i") if p.submitted_at else ""
        out.append(
            "<tr>"
            f"{tick}"
            f'<td class="text-break">{_title_cell(p, q, review(p.pk))}'
            f'<div class="small text-body-secondary">{_e(p.get_kind_display())}{session}</div></td>'
            f"<td>{_e(p.proposer_display)}</td>"
            f'<td class="d-none d-md-table-cell">{_e(p.category.name)}</td>'
            f'<td class="d-none d-md-table-cell small">{cosigners or "—"}</td>'
            f"<td>{state_badge(p)}</td>"
            f'<td class="d-none d-md-table-cell small">{_e(submitted)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))
