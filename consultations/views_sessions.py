"""Session pages: the staff session board's actions (leave, agenda, materials, opinions, speech order,
exports, live check-in progress) and the member's leave request and materials on the phone.

Thin like views.py: a form validates, one service acts, domain errors become a message with nothing
changed, and visibility comes from the access_* selectors (404).
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.workflow.errors import DomainError

from . import selectors, sessions
from .api_sessions import DOCX, XLSX, _file, material_response
from .forms import (
    AgendaItemForm,
    LeaveDecisionForm,
    LeaveRequestForm,
    MaterialForm,
    ReportOpinionForm,
    SpeechArrangeForm,
)
from .models import LeaveRequest, ReportOpinion, Speech
from .session_documents import report_opinions_xlsx, speeches_docx
from .views import STAFF_ROLES, _form_error, _member_or_403, _run


def session_context(meeting, user) -> dict:
    """What the staff meeting page shows of a session (constant queries whatever the size)."""
    counts = selectors.report_opinion_counts(meeting)
    agenda = selectors.meeting_agenda(meeting)
    return {
        "agenda": agenda,
        "materials": selectors.meeting_materials(meeting, user),
        "leave_requests": selectors.meeting_leave_requests(meeting, user),
        "report_rows": [
            (value, label, counts.get(value, 0)) for value, label in ReportOpinion.Report.choices
        ],
        "opinions": selectors.meeting_report_opinions(meeting),
        # Several forms share field names on one page: each gets its own id prefix so labels stay right.
        "agenda_form": AgendaItemForm(initial={"order": len(agenda) + 1}, auto_id="agenda_%s"),
        "material_form": MaterialForm(meeting=meeting, auto_id="material_%s"),
        "opinion_form": ReportOpinionForm(meeting=meeting, auto_id="opinion_%s"),
    }


def _leave(request, meeting, data):
    leave = LeaveRequest.objects.filter(meeting=meeting, pk=data["leave"]).first()
    if leave is None:
        raise DomainError("请假申请不存在。")
    if data["approve"]:
        return sessions.leave_request_approve(actor=request.user, leave=leave)
    return sessions.leave_request_decline(actor=request.user, leave=leave, reason=data["reason"])


def _arrange(request, meeting, data):
    speech = Speech.objects.filter(meeting=meeting, pk=data["speech"]).first()
    if speech is None:
        raise DomainError("发言材料不存在。")
    return sessions.speech_arrange(actor=request.user, speech=speech, oral=data["oral"], order=data["order"])


SESSION_ACTIONS = {
    "leave": (LeaveDecisionForm, _leave, "请假审批已保存。"),
    "agenda": (
        AgendaItemForm,
        lambda request, meeting, data: sessions.agenda_item_add(actor=request.user, meeting=meeting, **data),
        "议程已添加。",
    ),
    "material": (
        MaterialForm,
        lambda request, meeting, data: sessions.material_upload(actor=request.user, meeting=meeting, **data),
        "材料已上传并推送给参会人员。",
    ),
    "opinion": (
        ReportOpinionForm,
        lambda request, meeting, data: sessions.report_opinion_add(
            actor=request.user, meeting=meeting, **data
        ),
        "讨论意见已记录。",
    ),
    "arrange": (SpeechArrangeForm, _arrange, "发言安排已保存。"),
}


@require_POST
@role_required(Role.STAFF)
def session_action(request, pk, action):
    if action not in SESSION_ACTIONS:
        raise Http404
    meeting = selectors.access_meeting(request.user, pk)
    form_class, call, success = SESSION_ACTIONS[action]
    kwargs = {"meeting": meeting} if form_class in (MaterialForm, ReportOpinionForm) else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        _run(request, lambda: call(request, meeting, form.cleaned_data), success)
    else:
        _form_error(request, form)
    return redirect("consultations:meeting", pk=meeting.pk)


@role_required(*STAFF_ROLES)
def speeches_export(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    content = speeches_docx(meeting, selectors.meeting_speeches(meeting))
    return _file(content, DOCX, f"{meeting.title}-大会发言汇编.docx")


@role_required(*STAFF_ROLES)
def opinions_export(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    report = request.GET.get("report") or None
    if report is not None and report not in ReportOpinion.Report.values:
        raise Http404
    content = report_opinions_xlsx(meeting, selectors.meeting_report_opinions(meeting, report), report)
    return _file(content, XLSX, f"{meeting.title}-讨论意见.xlsx")


@role_required(*STAFF_ROLES)
def checkin_progress(request, pk):
    """The live line of the session board (htmx polls it): who is in, on leave, still expected."""
    meeting = selectors.access_meeting(request.user, pk)
    summary = selectors.attendance_summary(meeting.attendances.all())
    return render(request, "consultations/staff/_progress.html", {"summary": summary, "meeting": meeting})


@role_required(Role.STAFF)
def material_readers(request, pk):
    material = selectors.access_material(request.user, pk)
    readers = selectors.material_readers(material)
    invited = list(material.meeting.attendances.select_related("member__user"))
    read_ids = {r.user_id for r in readers}
    unread = [a.member for a in invited if a.member.user_id not in read_ids]
    return render(
        request,
        "consultations/staff/material_readers.html",
        {"material": material, "readers": readers, "unread": unread},
    )


def material_download(request, pk):
    """Members, staff and leaders read a material here (PDF inline on a phone); anyone else 404."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    material = selectors.access_material(request.user, pk)
    return material_response(request.user, material)


@require_POST
@role_required(Role.MEMBER)
def member_leave(request, pk):
    _member_or_403(request.user)
    meeting = selectors.access_meeting(request.user, pk)
    form = LeaveRequestForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: sessions.leave_request_create(actor=request.user, meeting=meeting, **form.cleaned_data),
            "请假申请已提交，请等待审批。",
        )
    else:
        _form_error(request, form)
    return redirect("consultations:member_meeting", pk=meeting.pk)


def member_session_context(meeting, user) -> dict:
    return {
        "agenda": selectors.meeting_agenda(meeting),
        "materials": selectors.meeting_materials(meeting, user),
        "my_leave_requests": selectors.meeting_leave_requests(meeting, user),
        "leave_form": LeaveRequestForm(auto_id="leave_%s"),
    }
