"""`{% handling_panel proposal %}`: the staff handling panel, with its own few reads (departments,
leaders, supervision records), so a page that includes it only needs to pass the proposal."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from proposals import handling_selectors
from zhengxie.option_tags import options

register = template.Library()


@register.inclusion_tag("proposals/handling/_panel.html", takes_context=True)
def handling_panel(context, proposal):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    data = handling_selectors.panel_context(proposal, user)
    data.update(
        request=request,
        user=user,
        csrf_token=context.get("csrf_token"),
        panel_url=request.get_full_path() if request is not None else "",
    )
    return data


@register.simple_tag
def board_summary_rows(summary):
    """The 督办台's per-unit rows (one per unit with work outstanding: 150 in a province), written in one
    pass: through the template's loop each row cost ~80 µs. The markup is what the loop wrote."""
    parts = []
    for row in summary:
        overdue = row["overdue"]
        parts.append(
            '<tr data-testid="summary-row">\n'
            f'        <td><a href="{conditional_escape(row["link"])}">{conditional_escape(row["department__name"])}</a></td>\n'
            "        <td>"
            + (f'<span class="badge text-bg-danger">{conditional_escape(overdue)}</span>' if overdue else "0")
            + "</td>\n"
            f"        <td>{conditional_escape(row['adjustments'])}</td>\n"
            f"        <td>{conditional_escape(row['extensions'])}</td>\n"
            "      </tr>\n      "
        )
    return mark_safe("".join(parts))  # every value above is escaped


def _units(assignments) -> str:
    """A proposal's units as `{% for a in p.assignments.all %}{% if a.state != "cancelled" %}名（主办）
    {% if not forloop.last %}、{% endif %}{% endif %}{% empty %}未交办{% endfor %}` wrote them: the separator
    follows each shown unit that is not the last row, cancelled ones included in that count."""
    rows = list(assignments)
    if not rows:
        return "未交办"
    last = len(rows) - 1
    return "".join(
        f"{conditional_escape(a.department.name)}（{conditional_escape(a.get_role_display())}）"
        + ("、" if i != last else "")
        for i, a in enumerate(rows)
        if a.state != "cancelled"
    )


@register.simple_tag
def board_key_rows(proposals):
    """The 督办台's key proposals: number, title, the leader who leads it, units, state."""
    parts = []
    for p in proposals:
        leader = p.key_leader.display_name if p.key_leader else ""
        parts.append(
            "<tr>"
            f'<td class="text-nowrap">{conditional_escape(p.number)}</td>'
            f'<td><a href="/workbench/proposals/{p.pk}/">{conditional_escape(p.title)}</a></td>'
            f"<td>{conditional_escape(leader or '—')}</td>"
            f"<td>{_units(p.assignments.all())}</td>"
            f"<td>{conditional_escape(p.get_state_display())}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(parts))


@register.simple_tag
def board_overdue_rows(rows):
    """The 督办台's overdue tasks: the proposal (number and title), the unit and its role, the deadline, the
    days overdue."""
    parts = []
    for row in rows:
        a = row["task"]
        due = date_filter(template_localtime(a.due_date), "Y-m-d")
        parts.append(
            "<tr>"
            f'<td><a href="/workbench/proposals/{a.proposal_id}/">{conditional_escape(a.proposal.number)} '
            f"{conditional_escape(a.proposal.title)}</a></td>"
            f"<td>{conditional_escape(a.department.name)}（{conditional_escape(a.get_role_display())}）</td>"
            f'<td class="text-nowrap">{conditional_escape(due)}</td>'
            f'<td><span class="badge text-bg-danger">逾期 {conditional_escape(row["days_overdue"])} 天</span></td>'
            "</tr>"
        )
    return mark_safe("\n".join(parts))


def _csrf_input(context) -> str:
    return str(CsrfTokenNode().render(context))  # exactly what {% csrf_token %} writes


def _decision_form(context, action, next_url, middle="") -> str:
    """A staff decision on a request: approve or refuse, coming back to `next_url`."""
    approve, refuse = ("同意延期", "不同意") if "extension" in action else ("同意调整", "不同意")
    flex = "d-flex gap-1 mt-1" if "extension" in action else "d-flex flex-wrap gap-1 mt-1"
    return (
        f'<form method="post" action="{conditional_escape(action)}" class="{flex}">'
        f'{_csrf_input(context)}<input type="hidden" name="next" value="{conditional_escape(next_url)}">'
        f"{middle}"
        f'<button type="submit" name="decision" value="approve" class="btn btn-sm btn-success">{approve}</button>'
        f'<button type="submit" name="decision" value="refuse" class="btn btn-sm btn-outline-danger">{refuse}</button>'
        "</form>"
    )


@register.simple_tag(takes_context=True)
def task_requests(context, task, next_url, department_options_id=""):
    """A task's waiting extension / adjustment requests, with the staff's decisions (`is_staff` in the
    context): what proposals/handling/_requests.html wrote, which it replaces. The units to choose for an
    adjustment are the context's `departments`, or, on a list of requests, copied by site.js from the
    <template> whose id is `department_options_id` (written once a page)."""
    is_staff = context.get("is_staff")
    parts = []
    if task.extension_state == "pending":
        form = (
            _decision_form(context, reverse("proposals_handling:extension", args=[task.pk]), next_url)
            if is_staff
            else ""
        )
        parts.append(
            '<div class="small mb-1" data-testid="extension-request">'
            f"申请延期至 <strong>{conditional_escape(date_filter(task.extension_due_date, 'Y-m-d'))}</strong>："
            f"{conditional_escape(task.extension_reason)}{form}</div>"
        )
    elif task.extension_state == "approved":
        parts.append('<div class="small text-body-secondary">已同意延期</div>')
    elif task.extension_state == "refused":
        parts.append('<div class="small text-body-secondary">延期未获同意</div>')
    if task.state == "adjustment_requested":
        form = ""
        if is_staff:
            select_id = f"adjust-dept-{task.pk}"
            if department_options_id:
                select = (
                    f'<select class="form-select form-select-sm w-auto" name="department" id="{select_id}" '
                    f'data-options-from="{conditional_escape(department_options_id)}" '
                    f'data-options-skip="{conditional_escape(task.department_id)}">'
                    '<option value="">— 改由单位 —</option></select>'
                )
            else:
                select = (
                    f'<select class="form-select form-select-sm w-auto" name="department" id="{select_id}">'
                    '<option value="">— 改由单位 —</option>'
                    f"{options(context.get('departments') or [], skip=task.department_id)}</select>"
                )
            middle = f'<label class="visually-hidden" for="{select_id}">改由承办单位</label>{select}'
            form = _decision_form(
                context, reverse("proposals_handling:adjustment", args=[task.pk]), next_url, middle
            )
        parts.append(
            '<div class="small" data-testid="adjustment-request">'
            f"申请调整：{conditional_escape(task.adjustment_reason)}{form}</div>"
        )
    if (
        task.extension_state != "pending"
        and task.state != "adjustment_requested"
        and not task.extension_state
    ):
        parts.append("—")
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def board_request_items(context, rows, with_due=False):
    """The 督办台's waiting requests (adjustments, or extensions `with_due` the current deadline): the
    proposal, the unit and its role, then the requests with their decisions."""
    next_url = context.get("board_url", "")
    parts = []
    for row in rows:
        a = row["task"]
        due = f"，现办理期限 {conditional_escape(date_filter(a.due_date, 'Y-m-d'))}" if with_due else ""
        parts.append(
            '<li class="list-group-item">'
            f'<a href="/workbench/proposals/{a.proposal_id}/">{conditional_escape(a.proposal.number)} '
            f"{conditional_escape(a.proposal.title)}</a>"
            f'<div class="small text-body-secondary">{conditional_escape(a.department.name)}'
            f"（{conditional_escape(a.get_role_display())}）{due}</div>"
            f"{task_requests(context, a, next_url, 'board-department-options')}"
            "</li>"
        )
    return mark_safe("\n".join(parts))
