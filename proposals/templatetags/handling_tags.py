"""`{% handling_panel proposal %}`: the staff handling panel, with its own few reads (departments,
leaders, supervision records), so a page that includes it only needs to pass the proposal."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

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
