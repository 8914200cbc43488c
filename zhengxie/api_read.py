"""A ModelSerializer whose output is DRF's, read through a plan made once per serializer.

DRF represents each field of each row through `Field.get_attribute` (a Mapping check and an
`inspect.signature` probe per attribute), a `PKOnlyObject` per foreign key and, for a choice's label,
Django's `get_FOO_display` (which rebuilds the field's choice dict on every call). A 20-row proposal list
spent ~15 ms of a 45 ms request there. `ModelSerializer.to_representation` here reads each plain model
field with one `getattr` and gives every other field to DRF as before, so the output is the same
(tests/test_api_read.py compares every API list and detail with DRF's own representation).
"""

import copy
import datetime

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf_fields
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# Fields whose to_representation is a pure function of a non-None value (their own, not a subclass's).
_PLAIN = {
    drf_fields.CharField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: None,  # the field's own (it maps "true"/1 … like DRF)
    drf_fields.DateTimeField: None,
    drf_fields.DateField: None,
    drf_fields.DecimalField: None,
    drf_fields.FloatField: None,
    drf_fields.ChoiceField: None,
    drf_fields.EmailField: str,
    drf_fields.URLField: str,
    drf_fields.SlugField: str,
}

# Set to False (tests) to represent through DRF's own loop.
ENABLED = True


def _concrete(model, name):
    """The concrete, non-relational model field called `name`, else None (properties, methods, relations)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.is_relation or field.attname != name:
        return None
    return field


def _forward_fk(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.concrete and (field.many_to_one or field.one_to_one) and not field.auto_created:
        return field
    return None


def _reader(field, model):
    """A function instance → representation equal to DRF's for `field`, or None where DRF must do it.
    A reader may raise SkipField (DRF omits the key), as DRF's own steps do."""
    kind = type(field)
    attrs = field.source_attrs
    if kind in _PLAIN and field.source != "*":
        convert = _PLAIN[kind] or field.to_representation
        if kind is drf_fields.DateTimeField:
            convert = _datetime_reader(field)
        if len(attrs) == 1 and _concrete(model, attrs[0]) is not None:
            name = attrs[0]

            def read(instance):
                value = getattr(instance, name)
                return None if value is None else convert(value)

            return read
        if len(attrs) == 2 and (fk := _forward_fk(model, attrs[0])):
            if _concrete(fk.related_model, attrs[1]) is None:
                return None
            relation, name = attrs
            drf_read = _drf_reader(field)

            def read(instance):
                try:
                    related = getattr(instance, relation)
                except ObjectDoesNotExist:
                    return None
                if related is None:  # DRF's AttributeError path: the default, None or no key
                    return drf_read(instance)
                value = getattr(related, name)
                return None if value is None else convert(value)

            return read
        return None
    if kind is relations.PrimaryKeyRelatedField and field.pk_field is None and len(attrs) == 1:
        fk = _forward_fk(model, attrs[0])
        if fk is None or fk.target_field != fk.related_model._meta.pk:
            return None
        attname = fk.attname

        def read(instance):
            return getattr(instance, attname)

        return read
    if kind is serializers.SerializerMethodField:
        method = getattr(field.parent, field.method_name)
        return method
    choice_field = getattr(field, "choice_field", None)
    if choice_field and getattr(field, "fast_display", False):
        model_field = _concrete(model, choice_field)
        if model_field is None:
            return None
        labels = dict(model_field.flatchoices)

        def read(instance):
            value = getattr(instance, choice_field)
            label = labels.get(value, value)
            return None if label is None else str(label)

        return read
    return None


def _datetime_reader(field):
    """DateTimeField.to_representation with the current timezone looked up once per serializer, not per
    value (asgiref's thread-local lookup was 5% of a proposal page); anything but an aware datetime in
    ISO 8601 goes to DRF's own."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if hasattr(field, "timezone") or output_format is None or output_format.lower() != ISO_8601:
        return field.to_representation
    zone = field.default_timezone()
    if zone is None:
        return field.to_representation

    def convert(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:  # DRF's own message for it
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _drf_reader(field):
    """DRF's own steps for one field (Serializer.to_representation's loop body); SkipField propagates."""

    def read(instance):
        attribute = field.get_attribute(instance)
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


class ModelSerializer(serializers.ModelSerializer):
    """serializers.ModelSerializer with the same output, read faster (see the module docstring)."""

    def get_fields(self):
        """DRF's fields, with the model-built ones planned once per class. DRF maps every model field to a
        serializer field (get_field_info, build_field, the uniqueness checks) for each serializer it makes —
        a list makes one per nested relation too — yet that mapping depends only on the class and its
        model. Each serializer still gets field objects of its own: declared fields deep-copied as DRF does,
        built ones made afresh from the recorded class and keyword arguments."""
        cls = type(self)
        plan = cls.__dict__.get("_built_fields_plan")
        if plan is None or not ENABLED:
            fields = super().get_fields()
            if plan is None:
                declared = self._declared_fields
                cls._built_fields_plan = [
                    (name, None, None, None)
                    if name in declared
                    else (name, type(field), field._args, field._kwargs)
                    for name, field in fields.items()
                ]
            return fields
        if self.url_field_name is None:
            self.url_field_name = api_settings.URL_FIELD_NAME
        declared = copy.deepcopy(self._declared_fields)
        return {
            name: declared[name] if field_class is None else field_class(*args, **kwargs)
            for name, field_class, args, kwargs in plan
        }

    def _read_plan(self):
        plan = self.__dict__.get("_read_plan_cache")
        if plan is None:
            model = self.Meta.model
            plan = []
            for field in self._readable_fields:
                read = _reader(field, model)
                plan.append((field.field_name, read or _drf_reader(field)))
            self.__dict__["_read_plan_cache"] = plan
        return plan

    def to_representation(self, instance):
        if not ENABLED:
            return super().to_representation(instance)
        ret = {}
        for name, read in self._read_plan():
            try:
                ret[name] = read(instance)
            except SkipField:
                continue
        return ret
