"""Template filters for search results (`{% load search_tags %}`, registered in settings.TEMPLATES):
`{{ p.title|highlight:q }}` escapes the text and marks the words of `q`; `{{ p.content|search_snippet:q }}`
is a short highlighted excerpt around the first match ('' when none). Marks carry the class
`search-hit` (static/css; the CSP allows no inline style)."""

from django import template

from zhengxie import textsearch

register = template.Library()


@register.filter
def highlight(text, q):
    return textsearch.highlight(text, q or "")


@register.filter
def search_snippet(text, q):
    return textsearch.snippet(text, q or "") if q else ""
