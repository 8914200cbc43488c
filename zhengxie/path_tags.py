"""`{% path 'name' %}`: the path of a URL pattern that takes no arguments, reversed once per process.

The navigation bar of every page names ~20 such patterns; Django's `{% url %}` reverses each on every page
(~25–40 µs apiece, about a tenth of a small page's time). A pattern without arguments has one path per
URLconf and script prefix, so the answer is remembered under those.

Registered in settings.TEMPLATES (`{% load path_tags %}`)."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()
_paths: dict[tuple, str] = {}


@register.simple_tag
def path(name: str) -> str:
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    found = _paths.get(key)
    if found is None:
        found = _paths[key] = reverse(name)
    return found
