"""Forms of the activities pages (validation only; the services decide)."""

from django import forms
from django.utils import timezone

from consultations.models import Topic
from members.models import Member
from members.widgets import MemberPickerWidget

from .models import Activity, Group, Participant, Station, SupervisorAppointment

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _Bootstrap(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _serving():
    return Member.objects.filter(status=Member.Status.SERVING).order_by("name", "id")


class ActivityForm(_Bootstrap):
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices)
    title = forms.CharField(label="活动名称", max_length=200)
    start = forms.DateTimeField(label="开始时间", widget=DATETIME)
    end = forms.DateTimeField(label="结束时间", widget=DATETIME, required=False)
    place = forms.CharField(label="地点", max_length=200, required=False)
    station = forms.ModelChoiceField(
        label="工作站", queryset=Station.objects.none(), required=False, empty_label="（无）"
    )
    group = forms.ModelChoiceField(
        label="活动组", queryset=Group.objects.none(), required=False, empty_label="（无）"
    )
    topic = forms.ModelChoiceField(
        label="协商议题", queryset=Topic.objects.none(), required=False, empty_label="（不属于协商议题）"
    )
    participants = forms.ModelMultipleChoiceField(
        label="参加委员",
        queryset=Member.objects.none(),
        required=False,
        widget=MemberPickerWidget,
        help_text="不选时邀请所选活动组的全体组员。开始时间已过的为补录，不发送通知。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.order_by("name")
        self.fields["group"].queryset = Group.objects.order_by("name")
        # This year's and last year's topics (an activity is recorded within weeks of it): every topic of
        # every plan made a select of hundreds of options, re-rendered on each view of the activity list.
        self.fields["topic"].queryset = (
            Topic.objects.select_related("plan")
            .filter(plan__year__gte=timezone.localdate().year - 1)
            .order_by("-plan__year", "id")
        )
        self.fields["participants"].queryset = _serving()


class AttendanceForm(_Bootstrap):
    member = forms.ModelChoiceField(label="委员", queryset=Member.objects.all())
    status = forms.ChoiceField(
        label="出席情况",
        choices=[c for c in Participant.Status.choices if c[0] != Participant.Status.INVITED],
    )


class ReportForm(_Bootstrap):
    content = forms.CharField(label="报告内容", widget=forms.Textarea(attrs={"rows": 8}))
    suggestion_count = forms.IntegerField(label="意见建议条数", min_value=0, initial=0)


class CaseForm(_Bootstrap):
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="群众反映的问题", widget=forms.Textarea(attrs={"rows": 5}))
    station = forms.ModelChoiceField(
        label="接待地点（工作站）",
        queryset=Station.objects.none(),
        required=False,
        empty_label="（其他地点）",
    )
    people = forms.IntegerField(label="涉及群众人数", min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.order_by("name")


class ResolveForm(_Bootstrap):
    content = forms.CharField(
        label="解决情况", widget=forms.Textarea(attrs={"rows": 3}), help_text="由谁解决、如何解决"
    )


class StationForm(_Bootstrap):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Station.Kind.choices)
    address = forms.CharField(label="地址", max_length=200, required=False)
    schedule = forms.CharField(label="接待安排", max_length=200, required=False)
    members = forms.ModelMultipleChoiceField(
        label="值守委员", queryset=Member.objects.none(), required=False, widget=MemberPickerWidget
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _serving()


class GroupForm(_Bootstrap):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Group.Kind.choices)
    convener = forms.ModelChoiceField(
        label="召集人", queryset=Member.objects.none(), required=False, widget=MemberPickerWidget(single=True)
    )
    members = forms.ModelMultipleChoiceField(
        label="组员", queryset=Member.objects.none(), required=False, widget=MemberPickerWidget
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convener"].queryset = _serving()
        self.fields["members"].queryset = _serving()


class SupervisorForm(_Bootstrap):
    member = forms.ModelChoiceField(
        label="委员", queryset=Member.objects.none(), widget=MemberPickerWidget(single=True)
    )
    kind = forms.ChoiceField(label="类型", choices=SupervisorAppointment.Kind.choices)
    office = forms.CharField(label="受聘单位", max_length=100)
    start_date = forms.DateField(label="聘任日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="任期届满", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _serving()
