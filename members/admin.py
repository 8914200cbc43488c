from django.contrib import admin

from zhengxie.accounts.admin import ServiceImportExportAdmin

from .models import Member, Party, Plenary, Sector, SpecialCommittee, Term
from .resources import MemberResource


class PlenaryInline(admin.TabularInline):
    model = Plenary
    extra = 0
    fields = ("number", "start_date", "end_date")


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("__str__", "start_date", "end_date", "is_current")
    list_filter = ("is_current",)
    search_fields = ("number",)
    inlines = [PlenaryInline]


class _RosterEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    search_fields = ("name",)


@admin.register(Sector)
class SectorAdmin(_RosterEntryAdmin):
    pass


@admin.register(Party)
class PartyAdmin(_RosterEntryAdmin):
    list_display = ("name", "short_name", "order")
    search_fields = ("name", "short_name")


@admin.register(SpecialCommittee)
class SpecialCommitteeAdmin(_RosterEntryAdmin):
    pass


@admin.register(Member)
class MemberAdmin(ServiceImportExportAdmin):
    resource_classes = [MemberResource]
    list_display = ("name", "gender", "party", "sector", "position", "status", "mobile", "user", "term")
    list_filter = ("status", "position", "gender", "term", "sector", "party", "committees")
    list_select_related = ("party", "sector", "user", "term")
    search_fields = ("name", "mobile", "employer", "user__username")
    autocomplete_fields = ("user", "party", "sector", "committees")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "gender", "ethnicity", "birth_date", "user")}),
        ("政协身份", {"fields": ("term", "party", "sector", "committees", "position")}),
        ("工作与联系", {"fields": ("employer", "mobile", "email")}),
        ("状态", {"fields": ("status", "status_since", "status_reason")}),
        ("记录", {"fields": ("created_at", "updated_at")}),
    )

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("user", "party", "sector")
            .prefetch_related("committees")
        )
