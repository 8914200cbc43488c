"""Department portal pages for proposal assignments (交办): the detail page, its forms, downloads,
and the portal source that lists assignments on the portal home (zhengxie.workflow.portal)."""

import dataclasses
from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.paging import slice_rows
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.portal import SOON_DAYS, Found, PortalRow, search_total
from zhengxie.workflow.selectors import history_of, policy_current

from . import exports, search, selectors, services
from .forms_portal import AdjustmentForm, ContactForm, CoOpinionForm, ExtensionForm, ReplyForm
from .models import Assignment, Cosigner, Proposal, ProposalAttachment

TaskState = Assignment.State
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- the portal home's source ---------------------------------------------------------------------


class AssignmentPortalSource:
    """Proposal assignments for the portal home; counts come from selectors.portal_counts."""

    kind_label = "提案"

    def counts(self, department_id: int, *, today) -> dict[str, int]:
        return selectors.portal_counts(department_id, today=today, soon_days=SOON_DAYS)

    def _tasks(self, department_id: int, *, status: str, today):
        open_q = Q(state__in=Assignment.OPEN_STATES)
        filters = {
            "open": open_q,
            "pending": Q(state=TaskState.PENDING),
            "in_progress": Q(state__in=[TaskState.ACCEPTED, TaskState.ADJUSTMENT_REQUESTED]),
            "due_soon": open_q & Q(due_date__gte=today, due_date__lte=today + timedelta(days=SOON_DAYS)),
            "overdue": open_q & Q(due_date__lt=today),
            "replied": Q(state=TaskState.REPLIED),
            "all": open_q | Q(state=TaskState.REPLIED),
        }
        return Assignment.objects.filter(filters[status], department_id=department_id)

    def search(self, department_id: int, *, status: str, today, params, limit: int) -> Found:
        """The department's own assignments under `status` whose proposal or own replies match `q`."""
        q = params.get("q") or ""
        qs = search.assignment_search(
            self._tasks(department_id, status=status, today=today), q, department_id=department_id
        )
        qs = search.ordered(qs, params, "due_date", "id", rank_limit=search.TASK_RANK_LIMIT)
        # Ids first, remembered while the data is unchanged (zhengxie.paging.slice_rows): ranking every match
        # of a common word is the search's cost (~30 ms), reading 20 rows by id is not.
        tasks = slice_rows(self._page(qs), 0, limit)
        total, capped = search_total(qs, len(tasks), limit)
        contents = dict(
            Proposal.objects.filter(pk__in=[t.proposal_id for t in tasks]).values_list("pk", "content")
        )
        rows = self._rows(tasks, today)
        rows = [
            dataclasses.replace(
                row,
                rank=getattr(task, "search_rank", 0.0) or 0.0,
                snippet=textsearch.snippet(contents.get(task.proposal_id, ""), q),
            )
            for row, task in zip(rows, tasks, strict=True)
        ]
        return Found(rows=rows, total=total, by_time=textsearch.by_time(qs), capped=capped)

    def _page(self, qs):
        return qs.select_related("proposal").only(
            "pk",
            "role",
            "state",
            "due_date",
            "due_provisional",
            "handling_round",
            "proposal__id",
            "proposal__title",
            "proposal__number",
        )

    def rows(self, department_id: int, *, status: str, today, limit: int) -> list[PortalRow]:
        tasks = self._page(self._tasks(department_id, status=status, today=today)).order_by("due_date", "id")
        return self._rows(tasks[:limit], today)

    def _rows(self, tasks, today) -> list[PortalRow]:
        # One reverse() for the page, not one per row (it was a third of the portal's CPU).
        url = reverse("proposals_portal:assignment", args=[987654321])
        return [
            PortalRow(
                kind_label=self.kind_label,
                title=task.proposal.title,
                number=task.proposal.number,
                role_label=task.get_role_display(),
                state_label=_state_label(task),
                due_date=task.due_date,
                due_provisional=task.due_provisional,
                is_open=task.is_open,
                days_left=task.days_left(today),
                url=url.replace("987654321", str(task.pk)),
            )
            for task in tasks
        ]


def _state_label(task: Assignment) -> str:
    if task.handling_round > 1 and task.state == TaskState.ACCEPTED:
        return "重新办理"
    return task.get_state_display()


# --- detail page ----------------------------------------------------------------------------------

PROPOSAL_STATES = dict(Proposal.State.choices)
TASK_STATES = dict(TaskState.choices)
ACTION_LABELS = {
    "create": "创建",
    "submit": "提交",
    "cosigners_answered": "联名确认完毕",
    "return": "退回修改",
    "withdraw": "撤回",
    "register": "立案",
    "reject": "不予立案",
    "merge": "并案",
    "assign": "交办",
    "accept": "签收",
    "request_adjustment": "申请调整",
    "approve_adjustment": "同意调整",
    "refuse_adjustment": "不同意调整",
    "approve_extension": "同意延期",
    "co_opinion": "提交会办意见",
    "reply": "答复",
    "evaluate": "满意度测评",
    "rehandle": "重新办理",
    "close_unrated": "未评价办结",
}

FORMS = {
    "adjust": AdjustmentForm,
    "extend": ExtensionForm,
    "contact": ContactForm,
    "co_opinion": CoOpinionForm,
    "reply": ReplyForm,
}


def _available_actions(task: Assignment) -> set[str]:
    """The forms that fit the task's role and state; the services check everything again."""
    actions = set()
    if task.state == TaskState.PENDING:
        actions.add("accept")
    if task.state in (TaskState.PENDING, TaskState.ACCEPTED):
        actions.add("adjust")
    if task.is_open and task.extension_state != Assignment.ExtensionState.PENDING:
        actions.add("extend")
    if task.state in (TaskState.ACCEPTED, TaskState.REPLIED):
        actions.add("contact")
    if task.state == TaskState.ACCEPTED:
        actions.add("reply" if task.replies_formally else "co_opinion")
    return actions


def _history(task: Assignment, proposal: Proposal) -> list[dict]:
    entries = [{"log": log, "subject": "本单位交办", "states": TASK_STATES} for log in history_of(task)] + [
        {"log": log, "subject": "提案", "states": PROPOSAL_STATES}
        for log in selectors.proposal_history(proposal)
    ]
    entries.sort(key=lambda e: (e["log"].at, e["log"].id))
    return [
        {
            "at": e["log"].at,
            "subject": e["subject"],
            "action": ACTION_LABELS.get(e["log"].action, e["log"].action),
            "from_state": e["states"].get(e["log"].from_state, e["log"].from_state),
            "to_state": e["states"].get(e["log"].to_state, e["log"].to_state),
            "actor": e["log"].actor.display_name if e["log"].actor_id else "系统",
            "comment": e["log"].comment,
        }
        for e in entries
    ]


def _visible_replies(request, task: Assignment):
    """This unit's own replies; a 会办 unit also sees the lead's reply (selectors.reply_rule decides)."""
    return selectors.replies_visible_to(request.user, task.proposal)


def _render_detail(request, task: Assignment, *, bound: dict | None = None, status: int = 200):
    proposal = task.proposal
    siblings = list(
        Assignment.objects.filter(proposal_id=proposal.pk)
        .exclude(pk=task.pk)
        .exclude(state=TaskState.CANCELLED)
        .select_related("department")
        .order_by("role", "id")
    )
    actions = _available_actions(task)
    forms = {name: form_class() for name, form_class in FORMS.items() if name in actions}
    for name, form in (bound or {}).items():
        if form is not None:
            forms[name] = form
    contacts = list(task.contacts.all())
    reply_blocked, co_waiting = _reply_rules(task, siblings, has_contact=bool(contacts), actions=actions)
    context = {
        "task": task,
        "proposal": proposal,
        "category": proposal.category.name if proposal.category_id else "",
        "cosigners": Cosigner.objects.filter(proposal=proposal, status=Cosigner.Status.CONFIRMED)
        .select_related("member")
        .order_by("order", "id"),
        "attachments": ProposalAttachment.objects.filter(proposal=proposal).order_by("id"),
        "siblings": siblings,
        "co_units": [s for s in siblings if s.role == Assignment.Role.CO],
        "is_lead": task.role == Assignment.Role.LEAD,
        "contacts": contacts,
        "reply_blocked": reply_blocked,
        "co_waiting": co_waiting,
        "co_warning": (
            f"会办单位{'、'.join(co_waiting)}尚未提交会办意见，答复前请先征求其意见。" if co_waiting else ""
        ),
        "replies": _visible_replies(request, task),
        "history": _history(task, proposal),
        "actions": actions,
        "forms": forms,
        "open_form": next(iter(bound)) if bound else "",
        "soon_days": SOON_DAYS,
        "days_left": task.days_left(),
    }
    return render(request, "portal/assignment_detail.html", context, status=status)


def _reply_rules(task: Assignment, siblings, *, has_contact: bool, actions) -> tuple[str, list[str]]:
    """(why the reply form is closed, or ""; the 会办 units still owing their opinion) — shown before the
    clerk types anything; the service enforces the same rules."""
    if "reply" not in actions:
        return "", []
    policy = policy_current()
    waiting = []
    if task.role == Assignment.Role.LEAD:
        waiting = [s.department.name for s in siblings if s.role == Assignment.Role.CO and s.is_open]
    if policy.reply_requires_contact and not has_contact:
        return "答复前须至少有一次面商记录：请先在“记录面商”中登记与提案人的面商，再填写答复。", waiting
    if policy.require_co_opinion and waiting:
        return f"会办单位{'、'.join(waiting)}尚未提交会办意见；按办理规则，须收齐会办意见后再答复。", waiting
    return "", waiting


FILE_AGAIN = "提交未成功，所选文件没有保存：请重新选择文件后再提交。"


def _ask_for_files_again(request, form) -> None:
    """Browsers never refill a file input: say so next to each file the refused submit carried."""
    if form is None:
        return
    for name in request.FILES:
        if name in form.fields:
            form.add_error(name, FILE_AGAIN)


@role_required(Role.DEPARTMENT)
def assignment_detail(request, pk):
    task = selectors.access_assignment(request.user, pk)
    return _render_detail(request, task)


def _act(request, pk, *, form_name: str | None, perform, success: str):
    """Validate the form, call the one service, redirect; a domain error re-shows the page unchanged."""
    task = selectors.access_assignment(request.user, pk)
    form = FORMS[form_name](request.POST, request.FILES) if form_name else None
    if form is not None and not form.is_valid():
        messages.error(request, "提交的内容有误，请按提示修改。")
        _ask_for_files_again(request, form)
        return _render_detail(request, task, bound={form_name: form}, status=400)
    try:
        perform(task, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
        _ask_for_files_again(request, form)  # the typed text stays in the re-shown form
        return _render_detail(request, task, bound={form_name: form} if form_name else None, status=400)
    messages.success(request, success)
    return redirect("proposals_portal:assignment", pk=task.pk)


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_accept(request, pk):
    return _act(
        request,
        pk,
        form_name=None,
        perform=lambda task, _: services.assignment_accept(actor=request.user, assignment=task),
        success="已签收，请及时与提案人面商并办理。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_adjust(request, pk):
    return _act(
        request,
        pk,
        form_name="adjust",
        perform=lambda task, data: services.assignment_request_adjustment(
            actor=request.user, assignment=task, reason=data["reason"]
        ),
        success="调整申请已提交，等待提案委审核。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_extend(request, pk):
    return _act(
        request,
        pk,
        form_name="extend",
        perform=lambda task, data: services.assignment_request_extension(
            actor=request.user, assignment=task, reason=data["reason"], due_date=data["due_date"]
        ),
        success="延期申请已提交，审批同意前办理期限不变。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_contact(request, pk):
    return _act(
        request,
        pk,
        form_name="contact",
        perform=lambda task, data: services.assignment_add_contact(
            actor=request.user,
            assignment=task,
            date=data["date"],
            way=data["way"],
            people=data["people"],
            summary=data["summary"],
        ),
        success="面商记录已保存。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_co_opinion(request, pk):
    return _act(
        request,
        pk,
        form_name="co_opinion",
        perform=lambda task, data: services.assignment_co_opinion(
            actor=request.user, assignment=task, content=data["content"]
        ),
        success="会办意见已送主办单位。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def assignment_reply(request, pk):
    from .handling_selectors import co_units_waiting

    task = selectors.access_assignment(request.user, pk)
    waiting = co_units_waiting(task.proposal_id) if task.role == Assignment.Role.LEAD else []
    response = _act(
        request,
        pk,
        form_name="reply",
        perform=lambda task, data: services.assignment_reply(
            actor=request.user,
            assignment=task,
            result=data["result"],
            content=data["content"],
            signer=data["signer"],
            letter=data["letter"],
        ),
        success="答复已提交，提案人将收到测评通知。",
    )
    if waiting and response.status_code == 302:
        messages.warning(
            request, f"注意：会办单位{'、'.join(waiting)}尚未提交会办意见，答复已在没有其意见的情况下送出。"
        )
    return response


# --- downloads ------------------------------------------------------------------------------------


@role_required(Role.DEPARTMENT)
def attachment_download(request, pk, attachment_pk):
    task = selectors.access_assignment(request.user, pk)
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_pk, proposal_id=task.proposal_id)
    return _file_response(attachment.file, attachment.name)


@role_required(Role.DEPARTMENT)
def reply_letter_download(request, pk, reply_pk):
    task = selectors.access_assignment(request.user, pk)
    reply = get_object_or_404(_visible_replies(request, task), pk=reply_pk)
    if not reply.letter:
        raise Http404("该答复没有上传答复函。")
    return _file_response(reply.letter, reply.letter.name.rsplit("/", 1)[-1])


def _file_response(field_file, name: str):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=name)


@role_required(Role.DEPARTMENT)
def reply_letter_draft(request, pk):
    """The DOCX reply letter, pre-filled, for the clerk to edit, sign and upload with the reply."""
    task = selectors.access_assignment(request.user, pk)
    content, name = exports.reply_letter_file(task)
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
