"""The annual consultation plan board's topic lists, and a topic's state badge, written in one pass.

The board shows every topic of the year twice (by state, by month): in Django's template engine that was
~0.1 ms a topic and most of the page. The markup is what the template loops wrote; every stored text is
escaped as `{{ }}` escaped it.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from zhengxie.cells import url_by_pk

register = template.Library()

BADGE_CLASS = {
    "closed": "text-bg-secondary",
    "proposed": "text-bg-light border",
    "feedback_received": "text-bg-success",
}
BADGE_OTHERWISE = "text-bg-primary"


@register.simple_tag
def topic_badge(topic) -> SafeString:
    """The topic's state as a coloured badge."""
    css = BADGE_CLASS.get(topic.state, BADGE_OTHERWISE)
    return mark_safe(f'<span class="badge {css}">{conditional_escape(topic.get_state_display())}</span>')


@register.simple_tag
def board_state_items(topics) -> SafeString:
    """One state column's items: each topic linked, its type and planned month; a dash when there are none."""
    if not topics:
        return mark_safe('<li class="list-group-item py-1 text-body-secondary">—</li>')
    url = url_by_pk("consultations:topic")
    items = []
    for topic in topics:
        month = f" · {topic.planned_month}月" if topic.planned_month else ""
        items.append(
            f'<li class="list-group-item py-1"><a href="{url(topic.pk)}">{conditional_escape(topic.title)}</a>'
            f'<div class="text-body-secondary">{conditional_escape(topic.get_type_display())}{month}</div></li>'
        )
    return mark_safe("\n".join(items))


@register.simple_tag
def board_month_rows(by_month, unscheduled) -> SafeString:
    """The by-month table's rows: a month with topics (each linked, its badge, type and lead committee), then
    the topics with no month yet."""
    url = url_by_pk("consultations:topic")

    def entry(topic, details=True):
        head = f'<div><a href="{url(topic.pk)}">{conditional_escape(topic.title)}</a> {topic_badge(topic)}'
        if not details:
            return f"{head}</div>"
        lead = f" · {conditional_escape(topic.lead_committee.name)}牵头" if topic.lead_committee else ""
        kind = conditional_escape(topic.get_type_display())
        return f'{head} <span class="text-body-secondary">{kind}{lead}</span></div>'

    rows = [
        f"<tr><td>{month}月</td><td>{''.join(entry(t) for t in topics)}</td></tr>"
        for month, topics in by_month
        if topics
    ]
    if unscheduled:
        rows.append(f"<tr><td>未定</td><td>{''.join(entry(t, details=False) for t in unscheduled)}</td></tr>")
    return mark_safe("\n".join(rows))
