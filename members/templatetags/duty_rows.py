"""The duty ranking's rows (年度履职排名, 50 a page), written in one pass.

In Django's template engine a row cost ~0.3 ms: fourteen cells, each a lookup, localize() and escape, and the
archive link's `{% url %}`. The markup is what the template loop wrote; every value goes through
zhengxie.cells.cell, which renders exactly as `{{ value }}` does.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from zhengxie.cells import cell, cells_with_class, number_formatter, url_by_pk

register = template.Library()

GROUP_CELL_CLASS = "text-end d-none d-lg-table-cell"
BELOW_LINE = ' class="table-warning"'


@register.simple_tag
def ranking_rows(rows, year) -> SafeString:
    """Rank, name (linked to the member's archive of `year`), sector, party, total, grade (or why none), the
    group scores, 三个一, 联系群众; the rows below the line marked."""
    fmt = number_formatter()
    archive = url_by_pk("members:duty_archive")
    query = f"?year={cell(year, fmt)}"
    out = []
    for r in rows:
        grade = (
            cell(r.grade, fmt)
            if r.grade
            else f'<span class="text-body-secondary">{cell(r.grade_note, fmt)}</span>'
        )
        three_ones = (
            '<span class="text-success">已完成</span>'
            if r.three_ones_met
            else '<span class="text-danger">未完成</span>'
        )
        out.append(
            f'<tr data-testid="ranking-row"{BELOW_LINE if r.below_line else ""}>'
            f"<td>{cell(r.rank, fmt)}</td>"
            f'<td><a href="{archive(r.member_id)}{query}">{cell(r.name, fmt)}</a></td>'
            f"<td>{cell(r.sector, fmt)}</td><td>{cell(r.party, fmt)}</td>"
            f'<td class="text-end fw-semibold">{cell(r.total, fmt)}</td>'
            f"<td>{grade}</td>"
            f"{cells_with_class(r.group_cells, GROUP_CELL_CLASS, fmt)}"
            f"<td>{three_ones}</td>"
            f'<td class="text-nowrap">{cell(r.contact_quarters, fmt)}季 / {cell(r.contact_people, fmt)}人</td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def pending_rows(rows, can_act=False) -> SafeString:
    """待确认的履职填报's rows: (a box to tick), the member (linked to their archive of the record's year) and
    sector, date, kind, people, note, photos."""
    fmt = number_formatter()
    archive, photo_url = url_by_pk("members:duty_archive"), url_by_pk("members:duty_photo")
    out = []
    for r in rows:
        day = date_filter(r.date, "Y-m-d")
        name = cell(r.member.name, fmt)
        tick = (
            f'<input type="checkbox" class="form-check-input" name="records" value="{cell(r.pk, fmt)}" '
            f'aria-label="选择 {name} {cell(day, fmt)}">'
            if can_act
            else ""
        )
        sector = r.member.sector.name if r.member.sector else ""
        photos = "".join(
            f'<a href="{photo_url(photo.pk)}" class="me-1">照片{i}</a>'
            for i, photo in enumerate(r.photos.all(), 1)
        )
        out.append(
            '<tr data-testid="pending-row">'
            f"<td>{tick}</td>"
            f'<td><a href="{archive(r.member_id)}?year={cell(r.date.year, fmt)}">{name}</a>'
            f'<div class="text-body-secondary">{cell(sector or "", fmt)}</div></td>'
            f'<td class="text-nowrap">{cell(day, fmt)}</td>'
            f"<td>{cell(r.get_kind_display(), fmt)}</td>"
            f"<td>{cell(r.people or '', fmt)}</td>"
            f"<td>{linebreaksbr(r.note, autoescape=True)}</td>"
            f"<td>{photos}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(out))
