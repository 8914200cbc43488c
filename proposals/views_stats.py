"""/workbench/stats/: the statistics dashboard, its table exports and the department assessment 考核."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from members.models import Plenary, Term
from proposals import assessment, exports, stats
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatsFilterForm(forms.Form):
    term = forms.ModelChoiceField(
        Term.objects.all(),
        label="届次",
        required=False,
        empty_label="全部届次",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    plenary = forms.ModelChoiceField(
        Plenary.objects.select_related("term"),
        label="会次",
        required=False,
        empty_label="全部会次",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=1949,
        max_value=2999,
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": "全部"}),
    )

    def clean(self):
        data = super().clean()
        term, plenary = data.get("term"), data.get("plenary")
        if term and plenary and plenary.term_id != term.pk:
            raise forms.ValidationError("会次不属于所选届次。")
        return data

    def scope(self) -> stats.Scope:
        if not self.is_valid():
            return stats.Scope()
        data = self.cleaned_data
        plenary = data.get("plenary")
        return stats.Scope(
            term=data.get("term") or (plenary.term if plenary else None),
            plenary=plenary,
            year=data.get("year"),
        )


def _filter_form(request) -> StatsFilterForm:
    return StatsFilterForm(request.GET or None)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@role_required(Role.STAFF, Role.LEADER)
def dashboard(request):
    form = _filter_form(request)
    data = stats.dashboard(form.scope())
    return render(
        request,
        "proposals/stats/dashboard.html",
        {
            "form": form,
            **data,
            "charts": {t.key: t.chart_spec() for t in data["tables"]},
            "query": request.GET.urlencode(),
        },
    )


@role_required(Role.STAFF, Role.LEADER)
def export(request, key: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    found = exports.stats_table_file(_filter_form(request).scope(), key, fmt)
    if found is None:
        raise Http404
    content, name = found
    return _download(content, "text/csv; charset=utf-8" if fmt == "csv" else XLSX, name)


class AssessmentYearForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=1949,
        max_value=2999,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def year_value(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


@role_required(Role.STAFF, Role.LEADER)
def assessment_page(request):
    form = AssessmentYearForm(request.GET or None)
    year = form.year_value()
    if not form.is_bound or not form.is_valid() or not form.cleaned_data.get("year"):
        form = AssessmentYearForm(initial={"year": year})  # the box shows the year the title names
    items, rows = assessment.department_assessment(year)
    return render(
        request,
        "proposals/stats/assessment.html",
        {
            "form": form,
            "year": year,
            "items": items,
            "rows": [(r, [r.scores.get(i.code) for i in items]) for r in rows],
            "grades": assessment.assessment_grades(),
            "rule_notes": assessment.RULE_NOTES,
        },
    )


@role_required(Role.STAFF, Role.LEADER)
def assessment_export(request):
    year = AssessmentYearForm(request.GET or None).year_value()
    content, name = exports.assessment_file(year)
    return _download(content, XLSX, name)
