"""协商 pages: the staff board, topic and meeting pages; the members' invitations, speeches and check-in.

Views validate with a form, call one service and redirect with a message; domain errors become a message
with nothing changed; visibility comes from the access_* selectors (404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.page_actions import form_error as _form_error
from zhengxie.page_actions import run_action as _run
from zhengxie.paging import CappedPaginator
from zhengxie.params import is_int
from zhengxie.workflow.errors import DomainError

from . import selectors, services
from .documents import plan_docx
from .forms import (
    ApproveForm,
    AttendanceForm,
    CancelForm,
    CheckInForm,
    CommentForm,
    FeedbackForm,
    InviteForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    OutcomeForm,
    PickForm,
    PlanForm,
    RemoteUrlForm,
    ReplyForm,
    ResearchForm,
    SpeechForm,
    TopicForm,
    default_plan_year,
)
from .models import Meeting, Speech, Topic
from .qr import checkin_path, qr_svg

STAFF_ROLES = (Role.STAFF, Role.LEADER)


# --- staff: the plan board ---------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def board(request):
    plans = list(selectors.plans_visible_to(request.user))
    year = request.GET.get("year", "")
    year = int(year) if is_int(year) else default_plan_year()
    plan = next((p for p in plans if p.year == year), None)
    if plan is None and plans and "year" not in request.GET:
        plan = plans[0]
    context = {
        "plans": plans,
        "plan": plan,
        "year": plan.year if plan else year,
        "plan_form": PlanForm(initial={"year": year}),
        "approve_form": ApproveForm(initial={"date": timezone.localdate()}),
        "topic_form": TopicForm(),
        "board": selectors.plan_board(plan) if plan else None,
        "can_edit": request.user.is_office_staff,
    }
    return render(request, "consultations/staff/board.html", context)


@require_POST
@role_required(Role.STAFF)
def plan_create(request):
    form = PlanForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("consultations:board")
    holder = {}

    def call():
        holder["plan"] = services.plan_create(
            actor=request.user, year=form.cleaned_data["year"], title=form.cleaned_data["title"]
        )

    if _run(request, call, "年度协商计划已创建。"):
        return redirect(f"{reverse('consultations:board')}?year={holder['plan'].year}")
    return redirect("consultations:board")


@require_POST
@role_required(Role.STAFF)
def plan_approve(request, pk):
    plan = selectors.access_plan(request.user, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.plan_approve(actor=request.user, plan=plan, date=form.cleaned_data["date"]),
            "计划已批准，拟定议题已列入计划。",
        )
    else:
        _form_error(request, form)
    return redirect(f"{reverse('consultations:board')}?year={plan.year}")


@role_required(*STAFF_ROLES)
def plan_download(request, pk):
    plan = selectors.access_plan(request.user, pk)
    if not plan.is_approved:
        messages.error(request, "计划批准后才能导出打印稿。")
        return redirect(f"{reverse('consultations:board')}?year={plan.year}")
    response = HttpResponse(
        plan_docx(plan, selectors.plan_topics(plan)),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="consultation-plan-{plan.year}.docx"'
    return response


@require_POST
@role_required(Role.STAFF)
def topic_create(request, pk):
    plan = selectors.access_plan(request.user, pk)
    form = TopicForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.topic_create(actor=request.user, plan=plan, **form.cleaned_data),
            "议题已添加。",
        )
    else:
        _form_error(request, form)
    return redirect(f"{reverse('consultations:board')}?year={plan.year}")


# --- staff: the topic page ---------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def topic_detail(request, pk):
    topic = selectors.access_topic(request.user, pk)
    context = {
        "topic": topic,
        "research": selectors.topic_research(topic),
        "meetings": selectors.topic_meetings(topic),
        "history": selectors.history_rows(selectors.topic_history(topic), dict(Topic.State.choices)),
        "research_form": ResearchForm(initial={"date": timezone.localdate()}),
        "outcome_form": OutcomeForm(),
        "feedback_form": FeedbackForm(initial={"received_on": timezone.localdate()}),
        "close_form": CommentForm(),
        "can_edit": request.user.is_office_staff,
        "S": Topic.State,
    }
    return render(request, "consultations/staff/topic.html", context)


@role_required(Role.STAFF)
def topic_edit(request, pk):
    """Edit a topic's particulars (not its state) until it is closed; bad input keeps what was typed."""
    topic = selectors.access_topic(request.user, pk)
    if topic.state == Topic.State.CLOSED:
        messages.error(request, "议题已办结，不能再修改。")
        return redirect("consultations:topic", pk=topic.pk)
    initial = {
        "title": topic.title,
        "type": topic.type,
        "lead_committee": topic.lead_committee_id,
        "departments": [d.pk for d in topic.departments.all()],
        "planned_month": topic.planned_month,
        "description": topic.description,
    }
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(actor=request.user, topic=topic, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "议题已修改。")
            return redirect("consultations:topic", pk=topic.pk)
    context = {
        "form": form,
        "heading": f"修改议题：{topic.title}",
        "back_url": reverse("consultations:topic", args=[topic.pk]),
        "note": "议题状态由办理流程推进，此处只修改议题信息。",
    }
    return render(request, "consultations/staff/edit.html", context)


TOPIC_ACTIONS = {
    "start-research": (None, "议题已开始调研。"),
    "research": (ResearchForm, "调研视察活动已登记。"),
    "outcome": (OutcomeForm, "协商成果已报送。"),
    "feedback": (FeedbackForm, "采纳反馈已登记。"),
    "close": (CommentForm, "议题已办结。"),
}


@require_POST
@role_required(Role.STAFF)
def topic_action(request, pk, action):
    if action not in TOPIC_ACTIONS:
        raise Http404
    topic = selectors.access_topic(request.user, pk)
    form_class, success = TOPIC_ACTIONS[action]
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        _form_error(request, form)
        return redirect("consultations:topic", pk=topic.pk)
    data = form.cleaned_data if form else {}
    calls = {
        "start-research": lambda: services.topic_start_research(actor=request.user, topic=topic),
        "research": lambda: services.research_activity_add(actor=request.user, topic=topic, **data),
        "outcome": lambda: services.topic_submit_outcome(actor=request.user, topic=topic, **data),
        "feedback": lambda: services.topic_feedback(actor=request.user, topic=topic, **data),
        "close": lambda: services.topic_close(
            actor=request.user, topic=topic, comment=data.get("comment", "")
        ),
    }
    _run(request, calls[action], success)
    return redirect("consultations:topic", pk=topic.pk)


# --- staff: meetings ---------------------------------------------------------------------------------

MEETINGS_PER_PAGE = 50  # the list showed the newest 200, all rendered on every view


@role_required(*STAFF_ROLES)
def meeting_list(request):
    meetings = selectors.meetings_filter(selectors.meetings_visible_to(request.user), params=request.GET)
    initial = {}
    if is_int(request.GET.get("topic", "")):
        initial["topic"] = int(request.GET["topic"])
    page = CappedPaginator(meetings.prefetch_related(None), MEETINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    page.object_list = rows
    summaries = selectors.attendance_summaries([m.pk for m in rows])
    for meeting in rows:
        meeting.summary = summaries[meeting.pk]
    context = {
        "meetings": rows,
        "page": page,
        "form": MeetingForm(initial=initial),
        "can_edit": request.user.is_office_staff,
        "state": request.GET.get("state", ""),
        "states": Meeting.State.choices,
    }
    return render(request, "consultations/staff/meetings.html", context)


@require_POST
@role_required(Role.STAFF)
def meeting_create(request):
    form = MeetingForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("consultations:meetings")
    holder = {}

    def call():
        holder["meeting"] = services.meeting_create(actor=request.user, **form.cleaned_data)

    if _run(request, call, "协商活动已创建，邀请已发送。"):
        return redirect("consultations:meeting", pk=holder["meeting"].pk)
    return redirect("consultations:meetings")


@role_required(*STAFF_ROLES)
def meeting_detail(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    rows = list(meeting.attendances.all())
    url = request.build_absolute_uri(checkin_path(meeting))
    opens, closes = services.checkin_window(meeting)
    context = {
        "meeting": meeting,
        "rows": rows,
        "summary": selectors.attendance_summary(rows),
        "speeches": selectors.meeting_speeches(meeting),
        "history": selectors.history_rows(selectors.meeting_history(meeting), dict(Meeting.State.choices)),
        "checkin_url": url,
        "checkin_svg": qr_svg(url) if meeting.state == Meeting.State.PLANNED else "",
        "checkin_opens": opens,
        "checkin_closes": closes,
        "invite_form": InviteForm(),
        "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
        "cancel_form": CancelForm(),
        "statuses": [("present", "出席"), ("leave", "请假"), ("absent", "缺席")],
        "can_edit": request.user.is_office_staff,
        "now": timezone.now(),
    }
    from .views_sessions import session_context
    from .views_votes import votes_context

    context.update(session_context(meeting, request.user))
    context.update(votes_context(meeting))
    return render(request, "consultations/staff/meeting.html", context)


@role_required(Role.STAFF)
def meeting_edit(request, pk):
    """Edit or reschedule a planned meeting through meeting_update; bad input keeps what was typed."""
    meeting = selectors.access_meeting(request.user, pk)
    if meeting.state != Meeting.State.PLANNED:
        messages.error(request, "该活动已举行或已取消，不能再修改。")
        return redirect("consultations:meeting", pk=meeting.pk)
    form = MeetingEditForm.for_meeting(meeting, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **changes)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if not changes:
                messages.info(request, "没有修改。")
            elif "start" in changes:
                messages.success(
                    request, "活动已改期：期限已重新计算，已通知受邀委员，签到二维码已更换，请使用新二维码。"
                )
            elif "place" in changes:
                messages.success(request, "活动已修改，已通知受邀委员新的地点。")
            else:
                messages.success(request, "活动已修改。")
            return redirect("consultations:meeting", pk=meeting.pk)
    context = {
        "form": form,
        "heading": f"修改协商活动：{meeting.title}",
        "back_url": reverse("consultations:meeting", args=[meeting.pk]),
        "note": "修改开始时间或地点后，将通知所有未请假的受邀委员。",
    }
    return render(request, "consultations/staff/edit.html", context)


MEETING_FORMS = {
    "attendance": AttendanceForm,
    "invite": InviteForm,
    "minutes": MinutesForm,
    "cancel": CancelForm,
    "pick": PickForm,
    "hold": None,
    "remote": RemoteUrlForm,
}


@require_POST
@role_required(Role.STAFF)
def meeting_action(request, pk, action):
    if action not in MEETING_FORMS:
        raise Http404
    meeting = selectors.access_meeting(request.user, pk)
    form_class = MEETING_FORMS[action]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        _form_error(request, form)
        return redirect("consultations:meeting", pk=meeting.pk)
    data = form.cleaned_data if form else {}

    def pick():
        speech = Speech.objects.filter(meeting=meeting, pk=data["speech"]).first()
        if speech is None:
            raise DomainError("发言材料不存在。")
        services.speech_pick(actor=request.user, speech=speech, oral=data["oral"])

    calls = {
        "attendance": (
            lambda: services.meeting_record_attendance(
                actor=request.user,
                meeting=meeting,
                member=data["member"],
                status=data["status"],
                remote=data["remote"],
            ),
            "出席情况已登记。",
        ),
        "invite": (
            lambda: services.meeting_invite(actor=request.user, meeting=meeting, members=data["members"]),
            "邀请已发送。",
        ),
        "minutes": (
            lambda: services.meeting_minutes_save(
                actor=request.user, meeting=meeting, minutes=data["minutes"]
            ),
            "会议纪要已保存。",
        ),
        "cancel": (
            lambda: services.meeting_cancel(actor=request.user, meeting=meeting, reason=data["reason"]),
            "活动已取消，已通知受邀委员。",
        ),
        "pick": (pick, "口头发言安排已更新。"),
        "hold": (lambda: services.meeting_hold(actor=request.user, meeting=meeting), "已确认活动举行。"),
        "remote": (
            lambda: services.meeting_set_remote_url(actor=request.user, meeting=meeting, url=data["url"]),
            "远程会议链接已保存。",
        ),
    }
    call, success = calls[action]
    _run(request, call, success)
    return redirect("consultations:meeting", pk=meeting.pk)


# --- members -----------------------------------------------------------------------------------------


def _member_or_403(user):
    member = selectors.member_of(user)
    if member is None:
        raise PermissionDenied("您的账号尚未关联委员档案。")
    return member


PAST_INVITATIONS_PER_PAGE = 30


@role_required(Role.MEMBER)
def my_meetings(request):
    """The coming invitations, then the past ones a page at a time (a member of many years had every
    invitation ever on one page)."""
    member = _member_or_403(request.user)
    invitations = selectors.my_invitations(member)
    now = timezone.now()
    past = CappedPaginator(invitations.filter(meeting__end__lt=now), PAST_INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "upcoming": list(invitations.filter(meeting__end__gte=now)),
        "past": past.object_list,
        "page": past,
    }
    return render(request, "consultations/member/meetings.html", context)


@role_required(Role.MEMBER)
def member_meeting(request, pk):
    member = _member_or_403(request.user)
    meeting = selectors.access_meeting(request.user, pk)
    row = selectors.attendance_of(meeting, member)
    speech = selectors.speech_of(meeting, member)
    now = timezone.now()
    opens, closes = services.checkin_window(meeting)
    context = {
        "meeting": meeting,
        "row": row,
        "speech": speech,
        "before_start": meeting.state == Meeting.State.PLANNED and now < meeting.start,
        "checkin_open": meeting.state != Meeting.State.CANCELLED and opens <= now <= closes,
        "reply_form": ReplyForm(
            initial={"attend": "1" if row.reply != "leave" else "0", "reason": row.leave_reason}
        ),
        "speech_form": SpeechForm(
            initial={"title": speech.title, "content": speech.content} if speech else None
        ),
        "before_end": meeting.state == Meeting.State.PLANNED and now < meeting.end,
    }
    from .views_sessions import member_session_context

    context.update(member_session_context(meeting, request.user))
    context["votes"] = [v for v in selectors.meeting_votes(meeting) if v.state != "draft"]
    return render(request, "consultations/member/meeting.html", context)


@require_POST
@role_required(Role.MEMBER)
def member_reply(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        attend = form.cleaned_data["attend"]
        _run(
            request,
            lambda: services.meeting_reply(
                actor=request.user, meeting=meeting, attend=attend, reason=form.cleaned_data["reason"]
            ),
            "已回复参加。" if attend else "已提交请假。",
        )
    else:
        _form_error(request, form)
    return redirect("consultations:member_meeting", pk=meeting.pk)


@require_POST
@role_required(Role.MEMBER)
def member_speech(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    form = SpeechForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.speech_submit(actor=request.user, meeting=meeting, **form.cleaned_data),
            "发言材料已提交。",
        )
    else:
        _form_error(request, form)
    return redirect("consultations:member_meeting", pk=meeting.pk)


@require_POST
@role_required(Role.MEMBER)
def attend_remotely(request, pk):
    """远程协商: the member joins through the link; present (remote) is recorded, then the link opens."""
    meeting = selectors.access_meeting(request.user, pk)
    joined = _run(
        request,
        lambda: services.meeting_attend_remotely(actor=request.user, meeting=meeting),
        "已登记远程参会。",
    )
    if joined and meeting.remote_url:
        return redirect(meeting.remote_url)
    return redirect("consultations:member_meeting", pk=meeting.pk)


@role_required(Role.MEMBER)
def check_in(request, pk):
    """The page the door QR code opens: confirm, then POST the same signed token."""
    meeting = selectors.access_meeting(request.user, pk)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        token = form.data.get("t", "")
        _run(
            request,
            lambda: services.meeting_check_in(actor=request.user, meeting=meeting, token=token),
            "签到成功。",
        )
        return redirect("consultations:member_meeting", pk=meeting.pk)
    return render(
        request,
        "consultations/member/check_in.html",
        {"meeting": meeting, "form": CheckInForm(initial={"t": request.GET.get("t", "")})},
    )
