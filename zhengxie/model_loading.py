"""Rows read from the database become model instances without `Model.__init__`'s per-field loop.

Django's `Model.from_db` pads the loaded values with DEFERRED to every concrete field, then `__init__`
walks all of them, setting each loaded one through its descriptor: ~20 µs a Proposal (45 columns) even
when a list loaded twelve. A 50-row list page makes ~550 instances (its rows, their joined and prefetched
rows): ~10 ms of a page. For the project's models where the result is the same, `from_db` here puts the
loaded values straight into the instance's `__dict__`, which is what those descriptors do on a new
instance, and leaves deferred fields out of it, as Django does.

Installed from WorkflowConfig.ready for each project model that keeps Django's `__init__` and `from_db`,
has no pre_init/post_init receivers when installed, and whose fields' descriptors are known to store a
value in `__dict__` and nothing else on a new instance; any other model keeps Django's own.
"""

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

from zhengxie.choice_labels import project_models

# Descriptors whose __set__ on a new instance (nothing cached yet, no previous file) only stores the value.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)
_DJANGO_FROM_DB = Model.from_db.__func__


def fast_from_db(cls, db, field_names, values):
    new = cls.__new__(cls)
    new.__dict__.update(zip(field_names, values, strict=True))
    state = new._state = ModelState()
    state.adding = False
    state.db = db
    return new


def qualifies(model) -> bool:
    """Whether fast_from_db gives `model` the instance Django's own from_db would."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not _DJANGO_FROM_DB:
        return False
    if model._meta.abstract or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    for field in model._meta.concrete_fields:
        descriptor = model.__dict__.get(field.attname)
        if descriptor is None:  # inherited from a parent class: look it up there
            descriptor = getattr(model, field.attname, None)
        if type(descriptor) not in _PLAIN_DESCRIPTORS and not (
            isinstance(descriptor, FileDescriptor) and type(descriptor).__set__ is FileDescriptor.__set__
        ):
            return False
    return True


def install() -> list[type]:
    """Give every qualifying project model fast_from_db; returns those models."""
    installed = []
    for model in project_models():
        if qualifies(model):
            model.from_db = classmethod(fast_from_db)
            installed.append(model)
    return installed
