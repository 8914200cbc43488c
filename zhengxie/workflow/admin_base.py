"""The two shapes every platform model admin takes (issue 12): it writes through a service that records
an audit row, or it is read-only. tests/test_admin_registry.py walks the admin registry and holds every
registered admin to this."""

from django.contrib import admin

from .services import reference_delete, reference_save


class ReadOnlyAdminMixin:
    """Rows made and moved by the services only: the admin lists and shows them, never writes them.
    Actions (which call the services) still work on the list."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class AuditedAdminMixin:
    """Every save and delete of the admin — change form, list_editable, inlines, the delete action — goes
    through a service that writes the audit row. Override `save_service` / `delete_service` with the
    entity's own service; the default is workflow.services.reference_save / reference_delete."""

    @staticmethod
    def save_service(*, actor, obj, created, fields):
        return reference_save(actor=actor, obj=obj, created=created, fields=fields)

    @staticmethod
    def delete_service(*, actor, obj):
        reference_delete(actor=actor, obj=obj)

    def save_model(self, request, obj, form, change):
        self.save_service(actor=request.user, obj=obj, created=not change, fields=list(form.changed_data))

    def delete_model(self, request, obj):
        self.delete_service(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            reference_delete(actor=request.user, obj=obj)
        changed = {id(obj): fields for obj, fields in formset.changed_objects}
        for obj in instances:
            created = obj._state.adding
            fields = changed.get(id(obj), [f.name for f in obj._meta.concrete_fields] if created else [])
            reference_save(actor=request.user, obj=obj, created=created, fields=fields)
        formset.save_m2m()
