"""The rows of the department portal's task list (承办事项), written in one pass.

The markup is what the template loop it replaces wrote, with the 期限待定 note (zhengxie.cells). In Django's
template engine a row cost ~0.1 ms (an include, a dozen lookups, their escapes), 50 rows a page. Every value is escaped here as `{{ }}` escaped
it (conditional_escape: safe strings, like a highlighted title or snippet, pass as they are).
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from zhengxie.cells import date as _date
from zhengxie.cells import due_provisional
from zhengxie.textsearch import highlight

register = template.Library()

ROLE_CLASS = {"主办": "text-bg-primary", "会办": "text-bg-info"}
ROLE_OTHERWISE = "text-bg-dark"
# The colour of the days left, by urgency (normal: none).
URGENCY_CLASS = {"overdue": " zx-due-overdue", "soon": " zx-due-soon", "done": " text-body-secondary"}


@register.simple_tag
def portal_task_rows(rows, q="") -> SafeString:
    """承办事项's rows (workflow.portal.PortalRow): kind and number, title (its search hit and snippet), role,
    state, due date (期限待定 if provisional), days left coloured by urgency."""
    e = conditional_escape
    out = []
    for row in rows:
        urgency = row.urgency
        snippet = (
            '<div class="small fw-normal text-body-secondary search-snippet" data-testid="search-snippet">'
            f"{e(row.snippet)}</div>"
            if row.snippet
            else ""
        )
        out.append(
            '<a class="list-group-item list-group-item-action d-md-flex row g-0 align-items-center" '
            f'href="{e(row.url)}" data-testid="task-row" data-urgency="{e(urgency)}">\n'
            f'<div class="col-md-2 small"><span class="badge text-bg-secondary me-1">{e(row.kind_label)}</span>'
            f"{e(row.number or '—')}</div>\n"
            f'<div class="col-md-4 fw-semibold my-1 my-md-0">{highlight(row.title, q)}{snippet}</div>\n'
            f'<div class="col-md-1"><span class="badge {ROLE_CLASS.get(row.role_label, ROLE_OTHERWISE)}">'
            f"{e(row.role_label)}</span></div>\n"
            f'<div class="col-md-1 small">{e(row.state_label)}</div>\n'
            '<div class="col-md-2 small"><span class="d-md-none text-body-secondary">期限：</span>'
            f"{_date(row.due_date, 'Y-m-d')}{due_provisional(row.due_date, row.due_provisional)}</div>\n"
            f'<div class="col-md-2 small{URGENCY_CLASS.get(urgency, "")}" data-testid="days-left">'
            f"{e(row.days_text)}</div>\n"
            "</a>"
        )
    return mark_safe("\n".join(out))
