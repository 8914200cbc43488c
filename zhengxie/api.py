"""The API's shared pieces: pagination and the Chinese error shape."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zhengxie.paging import KeysetPagination
from zhengxie.workflow.errors import DomainError


def nested_data(parent, serializer_class, rows) -> list:
    """`rows` represented by a `serializer_class` built once per parent serializer (a list's child serves
    every row of the page): DRF builds a ModelSerializer's fields on each new instance (~6 ms for a model
    with many relations), which a nested serializer made per row paid for every row."""
    cache = parent.__dict__.setdefault("_nested_serializers", {})
    child = cache.get(serializer_class)
    if child is None:
        child = cache[serializer_class] = serializer_class(context=parent.context)
    return [child.to_representation(row) for row in rows]


class DisplayField(serializers.CharField):
    """The label of a model field's choice (`DisplayField("state")` = `obj.get_state_display()`), read-only.
    A `source="get_state_display"` made DRF inspect the method's signature on every row (Django's display
    methods are partials): ~10 ms of a 20-row proposal page went to `inspect`."""

    fast_display = True  # zhengxie.api_read looks the label up in the field's choices once per row

    def __init__(self, choice_field: str, **kwargs):
        self.choice_field = choice_field
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return getattr(instance, f"get_{self.choice_field}_display")()


class Pagination(KeysetPagination):
    """Every API list: `{"count","next","previous","results"}` with a capped count and cursor links
    (zhengxie.paging)."""


_CHINESE_DETAIL = {
    exceptions.NotAuthenticated: "请先登录。",
    exceptions.AuthenticationFailed: "身份认证失败，请重新登录。",
    exceptions.NotFound: "对象不存在。",
    exceptions.MethodNotAllowed: "不支持该请求方法。",
}


def exception_handler(exc, context):
    """Domain errors become 400 with a Chinese `detail`; 404 never says whether the object exists."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "；".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc) or "您无权执行此操作。"
        exc = exceptions.PermissionDenied(message)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("对象不存在。")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        for exc_class, message in _CHINESE_DETAIL.items():
            if type(exc) is exc_class and exc_class is not exceptions.NotFound:
                response.data["detail"] = message
    return response


def check_choice_filters(params, **choices) -> None:
    """A filter's value outside its choices is a 400 naming the valid values, never a silent empty list.

    `state` may list several values separated by commas; every other filter takes one value.
    """
    for name, valid in choices.items():
        raw = str(params.get(name) or "")
        values = [v for v in raw.split(",") if v] if name == "state" else ([raw] if raw else [])
        wrong = [v for v in values if v not in valid]
        if wrong:
            raise exceptions.ValidationError(
                {name: [f"无效的取值：{'、'.join(wrong)}。可选值：{'、'.join(valid)}。"]}
            )
