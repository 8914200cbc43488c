"""`{% handling_panel proposal %}`: the staff handling panel, with its own few reads (departments,
leaders, supervision records), so a page that includes it only needs to pass the proposal."""

from django import template

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
