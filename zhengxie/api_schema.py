"""The OpenAPI schema conventions every /api/v1/ operation follows (see the comment below)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers
from rest_framework.fields import empty

# --- the OpenAPI schema ------------------------------------------------------------------------------
# Generated clients (openapi-python-client, the 掌上政协 app) rely on these conventions:
# - request bodies are JSON only, except operations that take files: those are multipart only;
# - every field a response always carries is marked required (see `_optional_in_responses`);
# - `…/history/` answers a bare list, never a page;
# - every operation documents 400/401/403/404 with the shapes `exception_handler` produces;
# - tags are Chinese, one per area, never the path prefix `v1`.

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误：`detail` 为中文说明。",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        '请求有误：业务规则的拒绝为 `{"detail": "中文说明"}`；字段校验失败时，'
        '以字段名为键、错误说明列表为值，如 `{"title": ["该字段是必填项。"]}`'
        "（不属于某个字段的错误在 `non_field_errors`）。"
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}
ERROR_RESPONSES = {
    "400": ("请求有误（业务规则或字段校验）", "ValidationError"),
    "401": ("未登录或令牌无效", "Error"),
    "403": ("无权执行此操作", "Error"),
    "404": ("对象不存在（或无权查看）", "Error"),
}

# First path segment under /api/v1/ → the tag it is listed under.
TAGS_BY_PREFIX = {
    "proposals": "提案",
    "assignments": "提案办理",
    "opinion-reports": "社情民意",
    "transfers": "社情民意",
    "bulletins": "社情民意",
    "consultation-plans": "协商",
    "topics": "协商",
    "meetings": "协商",
    "stats": "统计",
    "awards": "提案",
    "department-awards": "提案",
    "key-rounds": "提案",
    "review-rounds": "提案",
    "policy": "参考数据",
}


def _takes_files(serializer) -> bool:
    if isinstance(serializer, dict):
        return any(_takes_files(s) for s in serializer.values())
    if isinstance(serializer, type):
        serializer = serializer()
    fields = getattr(serializer, "fields", None)
    if fields is None:
        return False
    for field in fields.values():
        child = getattr(field, "child", None)
        if isinstance(field, serializers.FileField) or isinstance(child, serializers.FileField):
            return True
    return False


def _optional_in_responses(serializer) -> set[str]:
    """The fields a response may leave out; every other field is always there, so required.

    A model serializer sends every field (Django's `blank`/`default` only make a field optional on input),
    except those it hides from some readers: the ones outside its `PUBLIC_FIELDS`. A plain serializer
    leaves out exactly the fields declared `required=False` without a default.
    """
    public = getattr(serializer, "PUBLIC_FIELDS", None)
    if isinstance(serializer, serializers.ModelSerializer):
        return set() if public is None else {name for name in serializer.fields if name not in public}
    return {
        name
        for name, field in serializer.fields.items()
        if not field.required and not field.read_only and field.default is empty
    }


class AutoSchema(SpectacularAutoSchema):
    def get_tags(self):
        tags = super().get_tags()
        if tags == ["v1"]:
            segments = [s for s in self.path.split("/") if s]
            prefix = segments[2] if len(segments) > 2 else ""
            return [TAGS_BY_PREFIX.get(prefix, "其他")]
        return tags

    def _get_paginator(self):
        if getattr(self.view, "action", None) == "history":
            return None
        return super()._get_paginator()

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if not body:
            return body
        content = body["content"]
        if _takes_files(self.get_request_serializer()):
            keep = "multipart/form-data"
        else:
            keep = "application/json"
        if keep in content:
            body["content"] = {keep: content[keep]}
        else:
            body["content"] = {keep: next(iter(content.values()))}
        return body

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and schema.get("properties"):
            optional = _optional_in_responses(force_instance(serializer))
            schema["required"] = [name for name in schema["properties"] if name not in optional]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        anonymous = self.get_auth() == []
        for code, (description, component) in ERROR_RESPONSES.items():
            if code in responses or (anonymous and code in ("401", "403")):
                continue
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
            }
        return responses


def schema_postprocess(result, generator, **kwargs):
    """Add the shared error shapes the error responses point at."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    return result


def policy_limited_text(limit: str, **kwargs) -> serializers.CharField:
    """A text field the handling policy limits: the schema states the default policy's limit.

    The live limit is `limit` in GET /api/v1/policy/ (staff may change it); the service checks it.
    """
    from drf_spectacular.utils import extend_schema_field

    from zhengxie.workflow.models import HandlingPolicy

    default = HandlingPolicy._meta.get_field(limit).default
    field_class = extend_schema_field({"type": "string", "maxLength": default})(
        type(f"PolicyLimited_{limit}", (serializers.CharField,), {})
    )
    note = f"不超过 {default} 字（默认办理规则；现行上限见 GET /api/v1/policy/ 的 {limit}）。"
    kwargs["help_text"] = f"{kwargs.get('help_text', '')}{note}"
    return field_class(**kwargs)
