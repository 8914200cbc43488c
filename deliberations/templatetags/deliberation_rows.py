"""The rows of the staff 网络议政 table, in one pass.

The markup is what the template loop it replaces wrote. In Django's template engine a row cost ~0.14 ms (a
`{% url %}`, an include for the phase badge with its two if-chains, two date filters, the lookups and their
escapes), 50 rows a page; here ~0.06 ms, most of it the two dates. Every value is escaped as `{{ }}` escaped
it (localize(), then conditional_escape()).
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from zhengxie.cells import date as _date
from zhengxie.cells import url_by_pk as _urls
from zhengxie.cells import value as _v

register = template.Library()

# A phase's badge colour and label (any other phase: closed).
PHASE_BADGE = {
    "open": ("text-bg-success", "进行中"),
    "scheduled": ("text-bg-info", "未开始"),
    "summarized": ("text-bg-primary", "已形成成果"),
}
PHASE_OTHERWISE = ("text-bg-secondary", "已结束")


@register.simple_tag
def phase_badge(phase) -> SafeString:
    """A 网络议政's phase as a coloured badge."""
    css, label = PHASE_BADGE.get(phase, PHASE_OTHERWISE)
    return mark_safe(f'<span class="badge {css}" data-testid="deliberation-state">{label}</span>')


@register.simple_tag
def staff_deliberation_rows(deliberations) -> SafeString:
    """网络议政's rows: title (linked), topic, opens – closes, phase badge, participants, visible posts."""
    url = _urls("deliberations:staff_detail")
    out = []
    for d in deliberations:
        topic = _v(d.topic) if d.topic else ""
        out.append(
            "<tr>"
            f'<td><a href="{url(d.pk)}">{_v(d.title)}</a></td>'
            f"<td>{topic}</td>"
            f'<td class="small">{_date(d.opens_at, "Y-m-d H:i")} 至 {_date(d.closes_at, "m-d H:i")}</td>'
            f"<td>{phase_badge(d.phase())}</td>"
            f'<td class="text-end">{_v(d.participant_count)}</td>'
            f'<td class="text-end">{_v(d.post_count)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))
