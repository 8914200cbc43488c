"""Text that enters the platform, and text copied from one column into a shorter one.

`clean_text` is the one input cleaner: control characters (U+0000–U+001F except tab, line feed and
carriage return, plus DEL) are removed wherever text enters — page forms (zhengxie.middleware),
the API's parsers (zhengxie.parsers) and the roster imports. `truncate` fits user text into a shorter
column with an ellipsis.
"""

import re

# Control characters no document format or database text column should hold.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """`value` without control characters (tab and newlines kept); non-strings are returned as they are."""
    if isinstance(value, str):
        return CONTROL_CHARS.sub("", value)
    return value


def clean_data(value):
    """Strings anywhere inside parsed JSON (dicts, lists) cleaned; keys too."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v) for v in value]
    return value


def clean_querydict(data):
    """A mutable copy of a QueryDict (request.GET/POST) with every value cleaned; files are untouched."""
    cleaned = data.copy()
    for key in list(cleaned.keys()):
        values = [clean_text(v) for v in data.getlist(key)]
        if clean_text(key) != key:
            del cleaned[key]
            key = clean_text(key)
        cleaned.setlist(key, values)
    cleaned._mutable = False
    return cleaned


def truncate(text, max_length: int) -> str:
    """`text` fitted into `max_length` characters, ending in "…" when it was cut."""
    text = text or ""
    if len(text) <= max_length:
        return text
    return text[: max_length - 1] + "…"


def fit(model, field_name: str, text) -> str:
    """`text` truncated to the max_length of `model.field_name`."""
    return truncate(text, model._meta.get_field(field_name).max_length)
