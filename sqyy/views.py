"""社情民意 pages: members report and follow their reports; the office works an inbox, edits side by side,
records 批示/报送/上级采用, transfers and feeds back, and composes 《社情民意》; departments reply to
transfers on the portal. Thin: a form validates, one service acts, a redirect shows the result."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from zhengxie import textsearch
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import role_required
from zhengxie.paging import CappedPaginator
from zhengxie.params import parse_year
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.portal import SOON_DAYS
from zhengxie.workflow.selectors import history_of, policy_current

from . import documents, forms, selectors, services
from .models import Bulletin, OpinionAttachment, OpinionReport, Transfer

State = OpinionReport.State
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 20

ACTION_LABELS = {
    "create": "创建",
    "submit": "提交",
    "resubmit": "重新提交",
    "return": "退回修改",
    "adopt": "采用",
    "reject": "不予采用",
    "instruct": "批示",
    "publish": "刊发",
    "forward": "报送",
    "upper_adopt": "上级采用",
    "transfer": "转办",
    "feedback": "反馈办结",
    "assign": "转办",
    "accept": "签收",
    "reply": "答复",
    "close": "办结",
    "request_adjustment": "申请调整",
    "approve_adjustment": "同意调整",
    "refuse_adjustment": "不同意调整",
    "approve_extension": "同意延期",
}


def _history(obj, states: dict) -> list[dict]:
    return [
        {
            "at": log.at,
            "action": ACTION_LABELS.get(log.action, log.action),
            "from_state": states.get(log.from_state, log.from_state),
            "to_state": states.get(log.to_state, log.to_state),
            "actor": log.actor.display_name if log.actor_id else "系统",
            "comment": log.comment,
        }
        for log in history_of(obj)
    ]


def _page(request, qs):
    return CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _download(field_file, name: str):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=name)


def _bytes(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- member pages ----------------------------------------------------------------------------------


def _member(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied("您的账号未关联委员信息。")
    return member


@role_required(Role.MEMBER)
def my_list(request):
    member = _member(request)
    state = request.GET.get("state", "")
    q = (request.GET.get("q") or "").strip()
    qs = selectors.my_reports(member)
    if state in State.values:
        qs = qs.filter(state=state)
    if q:  # within the member's own reports only
        qs = textsearch.ordered(selectors.text_search(qs, q), {"q": q}, "-created_at", "-id")
    page = _page(request, qs)
    textsearch.with_snippets(page, q, fields=("edited_content", "content"))
    context = {"page": page, "state": state, "q": q, "state_choices": State.choices}
    return render(request, "sqyy/member/list.html", context)


def _report_form_page(
    request,
    *,
    report=None,
    form_class=forms.OpinionReportForm,
    template="sqyy/member/form.html",
    success_url=None,
    extra=None,
):
    """Create or change a report; "提交" also submits it. Errors re-show the form, nothing saved."""
    content_max = policy_current().opinion_content_max
    if request.method == "POST":
        form = form_class(
            request.POST,
            request.FILES,
            content_max=content_max,
            keep_category=report.category if report is not None else "",
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            attachment = data.pop("attachment", None)
            if report is not None:
                data = {k: data[k] for k in ("title", "content", "category", "is_urgent")}
            try:
                saved = services.opinion_report_save(
                    actor=request.user,
                    report=report,
                    submit="submit" in request.POST,
                    attachment=attachment,
                    **data,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    "已提交，请等待社情民意办公室处理。"
                    if saved.state == State.SUBMITTED
                    else "草稿已保存。",
                )
                return redirect(
                    success_url(saved) if success_url else reverse("sqyy:my_detail", args=[saved.pk])
                )
        status = 400
    else:
        initial = {}
        if report is not None:
            initial = {
                "title": report.title,
                "content": report.content,
                "category": report.category,
                "is_urgent": report.is_urgent,
            }
        form, status = form_class(initial=initial, content_max=content_max), 200
    context = {"form": form, "report": report, "content_max": content_max, **(extra or {})}
    return render(request, template, context, status=status)


@role_required(Role.MEMBER)
def my_new(request):
    _member(request)
    return _report_form_page(request)


@role_required(Role.MEMBER)
def my_edit(request, pk):
    report = selectors.access_report(request.user, pk)
    if report.state not in (State.DRAFT, State.RETURNED):
        messages.error(request, f"当前状态为“{report.get_state_display()}”，不能修改。")
        return redirect("sqyy:my_detail", pk=report.pk)
    return _report_form_page(request, report=report)


@role_required(Role.MEMBER)
def my_detail(request, pk):
    report = selectors.access_report(request.user, pk)
    context = {
        "report": report,
        "history": _history(report, dict(State.choices)),
        "can_edit": report.state in (State.DRAFT, State.RETURNED),
    }
    return render(request, "sqyy/member/detail.html", context)


@require_POST
@role_required(Role.MEMBER)
def my_submit(request, pk):
    report = selectors.access_report(request.user, pk)
    try:
        services.opinion_report_submit(actor=request.user, report=report)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交，请等待社情民意办公室处理。")
    return redirect("sqyy:my_detail", pk=report.pk)


@role_required(Role.MEMBER, Role.STAFF, Role.LEADER)
def attachment_download(request, pk, attachment_pk):
    report = selectors.access_report(request.user, pk)
    attachment = get_object_or_404(OpinionAttachment, pk=attachment_pk, report_id=report.pk)
    return _download(attachment.file, attachment.name)


# --- staff pages -----------------------------------------------------------------------------------

STAFF_FORMS = {
    "edit": forms.EditedTextForm,
    "return": forms.ReasonForm,
    "reject": forms.ReasonForm,
    "instruct": forms.InstructionForm,
    "forward": forms.ForwardForm,
    "upper": forms.UpperAdoptionForm,
    "transfer": forms.TransferForm,
    "feedback": forms.FeedbackForm,
}


@role_required(Role.STAFF, Role.LEADER)
def inbox(request):
    params = request.GET
    qs = selectors.staff_inbox(params)
    page = _page(request, qs)
    textsearch.with_snippets(page, params.get("q"), fields=("edited_content", "content"))
    context = {
        "page": page,
        "state": params.get("state", ""),
        "q": params.get("q", ""),
        "state_choices": [c for c in State.choices if c[0] != State.DRAFT],
    }
    return render(request, "sqyy/staff/inbox.html", context)


@role_required(Role.STAFF)
def staff_new(request):
    return _report_form_page(
        request,
        form_class=forms.StaffEntryForm,
        template="sqyy/staff/new.html",
        success_url=lambda saved: f"/workbench/opinions/{saved.pk}/",
    )


def _available(user, report: OpinionReport) -> set[str]:
    """The forms that fit the role and the state; the services check everything again."""
    actions: set[str] = set()
    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER) and report.state in (*OpinionReport.INSTRUCTABLE, State.CLOSED):
        actions.add("instruct")
    if role != Role.STAFF:
        return actions
    if report.state in OpinionReport.EDITABLE_BY_STAFF:
        actions.add("edit")
    if report.state == State.SUBMITTED:
        actions |= {"return", "reject", "adopt"}
    if report.state in (State.PUBLISHED, State.FORWARDED, State.TRANSFERRED):
        actions.add("forward")
    forwardings = list(report.forwardings.all())
    if forwardings:
        actions.add("upper")
    instructed = bool(report.instructions.all())
    if report.state in (State.FORWARDED, State.TRANSFERRED) or (
        report.state in (State.ADOPTED, State.PUBLISHED) and instructed
    ):
        actions.add("transfer")
    transfers = [t for t in report.transfers.all() if t.state != Transfer.State.CANCELLED]
    if (
        report.state == State.TRANSFERRED
        and transfers
        and all(t.state == Transfer.State.REPLIED for t in transfers)
    ):
        actions.add("feedback")
    return actions


def _render_staff_detail(request, report, *, bound: dict | None = None, status: int = 200):
    actions = _available(request.user, report)
    today = timezone.localdate()
    initial = {
        "edit": {"title": report.final_title, "content": report.final_content, "category": report.category},
        "instruct": {"date": today},
        "forward": {"date": today},
        "upper": {"date": today},
    }
    # Several forms share field names (content, date): a per-form auto_id keeps the label ids unique.
    built = {
        name: cls(initial=initial.get(name), auto_id=f"id_{name}_%s")
        for name, cls in STAFF_FORMS.items()
        if name in actions
    }
    built.update({k: v for k, v in (bound or {}).items() if v is not None})
    actions |= set(bound or {})  # a refused form is shown again with its message
    transfer_requests = [
        t
        for t in report.transfers.all()
        if t.state == Transfer.State.ADJUSTMENT_REQUESTED
        or t.extension_state == Transfer.ExtensionState.PENDING
    ]
    can_decide = request.user.effective_role == Role.STAFF and bool(transfer_requests)
    context = {
        "report": report,
        "actions": actions,
        "forms": built,
        "open_form": next(iter(bound)) if bound else "",
        "transfer_requests": transfer_requests,
        "can_decide": can_decide,
        "departments": list(Department.objects.filter(is_active=True).order_by("name")) if can_decide else [],
        "history": _history(report, dict(State.choices)),
        "content_max": policy_current().opinion_content_max,
    }
    return render(request, "sqyy/staff/detail.html", context, status=status)


@role_required(Role.STAFF, Role.LEADER)
def staff_detail(request, pk):
    return _render_staff_detail(request, selectors.access_report(request.user, pk))


def _perform(request, report, data, name):
    user = request.user
    if name == "edit":
        if "adopt" in request.POST:
            services.opinion_report_adopt(
                actor=user, report=report, title=data["title"], content=data["content"]
            )
            return "已采用，可编入《社情民意》。"
        services.opinion_report_edit(actor=user, report=report, **data)
        return "编辑已保存，原稿保持不变。"
    if name == "return":
        services.opinion_report_return(actor=user, report=report, reason=data["reason"])
        return "已退回反映人修改。"
    if name == "reject":
        services.opinion_report_reject(actor=user, report=report, reason=data["reason"])
        return "已标记为不予采用。"
    if name == "instruct":
        services.opinion_report_add_instruction(actor=user, report=report, **data)
        return "批示已录入。"
    if name == "forward":
        services.opinion_report_forward(actor=user, report=report, **data)
        return "报送记录已保存。"
    if name == "upper":
        services.opinion_report_record_upper_adoption(actor=user, report=report, **data)
        return "上级采用已登记。"
    if name == "transfer":
        services.opinion_report_transfer(actor=user, report=report, departments=list(data["departments"]))
        return "已转办，承办单位将在单位门户看到。"
    if name == "feedback":
        services.opinion_report_feedback(actor=user, report=report, content=data["content"])
        return "已向反映人反馈，本件办结。"
    raise Http404


@require_POST
@role_required(Role.STAFF, Role.LEADER)
def staff_action(request, pk, name):
    if name not in STAFF_FORMS:
        raise Http404
    report = selectors.access_report(request.user, pk)
    extra = {"keep_category": report.category} if name == "edit" else {}
    form = STAFF_FORMS[name](request.POST, auto_id=f"id_{name}_%s", **extra)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请按提示修改。")
        return _render_staff_detail(request, report, bound={name: form}, status=400)
    try:
        success = _perform(request, report, form.cleaned_data, name)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_staff_detail(
            request, selectors.access_report(request.user, pk), bound={name: form}, status=400
        )
    messages.success(request, success)
    return redirect("sqyy:staff_detail", pk=report.pk)


def _transfer_decision(request, pk, perform, success):
    """Staff decide a department's 申请调整/申请延期 from the report page; a refusal re-shows it unchanged."""
    task = selectors.access_transfer(request.user, pk)
    form = forms.TransferDecisionForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, "请选择同意或不同意。")
        else:
            perform(task, form)
            messages.success(request, success(task, form))
            return redirect("sqyy:staff_detail", pk=task.report_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _render_staff_detail(request, selectors.access_report(request.user, task.report_id), status=400)


@require_POST
@role_required(Role.STAFF)
def transfer_resolve_adjustment(request, pk):
    return _transfer_decision(
        request,
        pk,
        lambda task, form: services.transfer_resolve_adjustment(
            actor=request.user,
            transfer=task,
            approve=form.approve,
            department=form.cleaned_data["department"],
        ),
        lambda task, form: (
            f"已同意调整，改由{form.cleaned_data['department'].name}承办。"
            if form.approve
            else f"已不同意{task.department.name}的调整申请。"
        ),
    )


@require_POST
@role_required(Role.STAFF)
def transfer_resolve_extension(request, pk):
    return _transfer_decision(
        request,
        pk,
        lambda task, form: services.transfer_resolve_extension(
            actor=request.user, transfer=task, approve=form.approve
        ),
        lambda task, form: f"已{'同意' if form.approve else '不同意'}{task.department.name}的延期申请。",
    )


# --- bulletins -------------------------------------------------------------------------------------


@role_required(Role.STAFF, Role.LEADER)
def bulletin_list(request):
    year = parse_year(request.GET.get("year")) or ""
    qs = selectors.bulletins_filter(selectors.bulletins_visible_to(request.user), params=request.GET)
    qs = qs.annotate(report_count=Count("items")).order_by("-year", "-number")
    form = forms.BulletinCreateForm(initial={"date": timezone.localdate(), "title": "社情民意"})
    status = 200
    if request.method == "POST":
        if request.user.effective_role != Role.STAFF:
            raise PermissionDenied("您的角色无权执行此操作。")
        form = forms.BulletinCreateForm(request.POST)
        if form.is_valid():
            try:
                bulletin = services.bulletin_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, f"已新建{bulletin.issue_label}，请编排篇目。")
                return redirect("sqyy:bulletin", pk=bulletin.pk)
        else:
            status = 400
    context = {"page": _page(request, qs), "form": form, "year": year, "this_year": timezone.localdate().year}
    return render(request, "sqyy/staff/bulletins.html", context, status=status)


def _render_composer(request, bulletin, *, status=200, update_form=None, forward_form=None):
    context = {
        "bulletin": bulletin,
        "items": list(bulletin.items.all()),
        "available": list(selectors.adoptable_reports()[:100])
        if bulletin.state == Bulletin.State.DRAFT
        else [],
        "update_form": update_form
        or forms.BulletinCreateForm(
            initial={"date": bulletin.date, "title": bulletin.title, "editor_note": bulletin.editor_note}
        ),
        "forward_form": forward_form or forms.ForwardForm(initial={"date": timezone.localdate()}),
        "history": _history(bulletin, dict(Bulletin.State.choices)),
        "can_edit": request.user.effective_role == Role.STAFF,
    }
    return render(request, "sqyy/staff/bulletin.html", context, status=status)


@role_required(Role.STAFF, Role.LEADER)
def bulletin_detail(request, pk):
    return _render_composer(request, selectors.access_bulletin(request.user, pk))


@require_POST
@role_required(Role.STAFF)
def bulletin_action(request, pk, name):
    bulletin = selectors.access_bulletin(request.user, pk)
    user, post = request.user, request.POST
    bound = {}
    try:
        if name == "add":
            services.bulletin_add_report(actor=user, bulletin=bulletin, report=_int(post.get("report")))
            success = "已编入本期。"
        elif name == "remove":
            services.bulletin_remove_report(actor=user, bulletin=bulletin, report=_int(post.get("report")))
            success = "已移出本期。"
        elif name == "reorder":
            order = sorted(
                (
                    (_int(value, default=0), _int(key.removeprefix("order_")))
                    for key, value in post.items()
                    if key.startswith("order_")
                ),
            )
            services.bulletin_reorder(
                actor=user, bulletin=bulletin, report_ids=[report_id for _, report_id in order]
            )
            success = "篇目顺序已更新。"
        elif name == "update":
            form = forms.BulletinCreateForm(post)
            bound["update_form"] = form
            if not form.is_valid():
                raise DomainError("提交的内容有误，请按提示修改。")
            services.bulletin_update(actor=user, bulletin=bulletin, **form.cleaned_data)
            success = "本期信息已保存。"
        elif name == "publish":
            services.bulletin_publish(actor=user, bulletin=bulletin)
            success = f"{bulletin.issue_label}已刊发。"
        elif name == "forward":
            form = forms.ForwardForm(post)
            bound["forward_form"] = form
            if not form.is_valid():
                raise DomainError("提交的内容有误，请按提示修改。")
            services.bulletin_forward(actor=user, bulletin=bulletin, **form.cleaned_data)
            success = "报送已登记。"
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_composer(request, selectors.access_bulletin(user, pk), status=400, **bound)
    messages.success(request, success)
    return redirect("sqyy:bulletin", pk=bulletin.pk)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise DomainError("提交的篇目无效。") from None


@role_required(Role.STAFF, Role.LEADER)
def bulletin_export(request, pk):
    bulletin = selectors.access_bulletin(request.user, pk)
    return _bytes(documents.bulletin_docx(bulletin), DOCX_TYPE, f"社情民意{bulletin.issue_label}.docx")


@role_required(Role.STAFF, Role.LEADER)
def bulletin_year_export(request, year):
    return _bytes(documents.year_list_xlsx(year), XLSX_TYPE, f"社情民意{year}年刊发目录.xlsx")


STATS_PAGE_MEMBERS = 50  # members on the page; the CSV has them all


@role_required(Role.STAFF, Role.LEADER)
def stats(request):
    year = parse_year(request.GET.get("year")) or timezone.localdate().year
    found = selectors.opinion_report_stats(year, member_limit=STATS_PAGE_MEMBERS)
    return render(request, "sqyy/staff/stats.html", {"stats": found, "year": year})


@role_required(Role.STAFF, Role.LEADER)
def stats_members_csv(request):
    """Every reflecting member's counts of the year (UTF-8 with BOM, so Excel reads the Chinese)."""
    import csv
    import io

    from zhengxie.exports import row

    year = parse_year(request.GET.get("year")) or timezone.localdate().year
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["委员", "收到", "采用", "刊发", "报送", "上级采用", "批示"])
    writer.writerows(row(r) for r in selectors.opinion_member_rows(year))
    content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return _bytes(content, "text/csv; charset=utf-8", f"社情民意{year}年按委员统计.csv")


# --- department portal -----------------------------------------------------------------------------


TRANSFER_FORMS = {
    "reply": forms.TransferReplyForm,
    "extend": forms.TransferExtensionForm,
    "adjust": forms.TransferAdjustmentForm,
}


def _transfer_actions(task: Transfer) -> set[str]:
    """The forms that fit the task's state; the services check everything again (the window, the cap)."""
    actions = set()
    if task.state == Transfer.State.PENDING:
        actions.add("accept")
    if task.state in (Transfer.State.PENDING, Transfer.State.ACCEPTED):
        actions.add("adjust")
    if task.is_open and task.extension_state != Transfer.ExtensionState.PENDING:
        actions.add("extend")
    if task.state == Transfer.State.ACCEPTED:
        actions.add("reply")
    return actions


def _render_transfer(request, task, *, bound: dict | None = None, status=200):
    actions = _transfer_actions(task)
    built = {name: cls() for name, cls in TRANSFER_FORMS.items() if name in actions}
    built.update({k: v for k, v in (bound or {}).items() if v is not None})
    context = {
        "task": task,
        "report": task.report,
        "actions": actions,
        "forms": built,
        "open_form": next(iter(bound)) if bound else "",
        "history": _history(task, dict(Transfer.State.choices)),
        "days_left": task.days_left(),
        "soon_days": SOON_DAYS,
        "instructions": list(task.report.instructions.all()),
    }
    return render(request, "sqyy/portal/transfer.html", context, status=status)


@role_required(Role.DEPARTMENT)
def transfer_detail(request, pk):
    return _render_transfer(request, selectors.access_transfer(request.user, pk))


def _transfer_act(request, pk, *, form_name: str | None, perform, success: str):
    """Validate the form, call the one service, redirect; a domain error re-shows the page unchanged."""
    task = selectors.access_transfer(request.user, pk)
    form = TRANSFER_FORMS[form_name](request.POST, request.FILES) if form_name else None
    bound = {form_name: form} if form_name else None
    if form is not None and not form.is_valid():
        messages.error(request, "提交的内容有误，请按提示修改。")
        return _render_transfer(request, task, bound=bound, status=400)
    try:
        perform(task, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_transfer(request, selectors.access_transfer(request.user, pk), bound=bound, status=400)
    messages.success(request, success)
    return redirect("sqyy:transfer", pk=task.pk)


@require_POST
@role_required(Role.DEPARTMENT)
def transfer_accept(request, pk):
    return _transfer_act(
        request,
        pk,
        form_name=None,
        perform=lambda task, _: services.transfer_accept(actor=request.user, transfer=task),
        success="已签收，请按期办理并答复。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def transfer_reply(request, pk):
    return _transfer_act(
        request,
        pk,
        form_name="reply",
        perform=lambda task, data: services.transfer_reply(actor=request.user, transfer=task, **data),
        success="答复已提交，社情民意办公室将向反映人反馈。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def transfer_adjust(request, pk):
    return _transfer_act(
        request,
        pk,
        form_name="adjust",
        perform=lambda task, data: services.transfer_request_adjustment(
            actor=request.user, transfer=task, reason=data["reason"]
        ),
        success="调整申请已提交，等待社情民意办公室审核。",
    )


@require_POST
@role_required(Role.DEPARTMENT)
def transfer_extend(request, pk):
    return _transfer_act(
        request,
        pk,
        form_name="extend",
        perform=lambda task, data: services.transfer_request_extension(
            actor=request.user, transfer=task, reason=data["reason"], due_date=data["due_date"]
        ),
        success="延期申请已提交，审批同意前办理期限不变。",
    )


@role_required(Role.DEPARTMENT, Role.STAFF, Role.LEADER)
def transfer_letter(request, pk):
    task = selectors.access_transfer(request.user, pk)
    if not task.reply_letter:
        raise Http404("没有上传答复函。")
    return _download(task.reply_letter, task.reply_letter.name.rsplit("/", 1)[-1])
