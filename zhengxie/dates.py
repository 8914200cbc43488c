"""One bound on every date a person enters, through a page form or the API: years 1900–2100.

A year like 1141 or 9999 is always a typo here, and it does harm: PostgreSQL stores it, Asia/Shanghai
then has a local-mean-time offset (+08:05:43) that is not valid ISO 8601, and working-day arithmetic has
no calendar for it. Rather than remember a validator on each of the many date fields, the date and
datetime fields of Django forms and DRF serializers are given the bound once, at start-up (install()).
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import fields as drf_fields
from rest_framework.exceptions import ValidationError as DRFValidationError

YEAR_MIN, YEAR_MAX = 1900, 2100
MESSAGE = f"日期超出合理范围（{YEAR_MIN}—{YEAR_MAX}年），请检查年份。"


def _out_of_range(value) -> bool:
    return isinstance(value, date | datetime) and not YEAR_MIN <= value.year <= YEAR_MAX


def _bounded(original, error):
    def to_value(self, value):
        result = original(self, value)
        if _out_of_range(result):
            raise error(MESSAGE)
        return result

    to_value.__wrapped__ = original
    return to_value


def install() -> None:
    for field, method in (
        (forms.DateField, "to_python"),
        (forms.DateTimeField, "to_python"),
        (drf_fields.DateField, "to_internal_value"),
        (drf_fields.DateTimeField, "to_internal_value"),
    ):
        original = getattr(field, method)
        if getattr(original, "__wrapped__", None) is not None:
            continue  # installed already
        error = ValidationError if field.__module__.startswith("django") else DRFValidationError
        setattr(field, method, _bounded(original, error))
