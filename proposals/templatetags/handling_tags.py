"""`{% handling_panel proposal %}`: the staff handling panel, with its own few reads (departments,
leaders, supervision records), so a page that includes it only needs to pass the proposal."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from proposals import handling_selectors

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
