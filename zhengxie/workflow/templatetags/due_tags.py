"""`{% due_provisional due provisional %}`: the 期限待定 note after a due date (zhengxie.cells.due_provisional)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from zhengxie import cells

register = template.Library()


@register.simple_tag
def due_provisional(due, provisional) -> SafeString:
    return mark_safe(cells.due_provisional(due, provisional))
