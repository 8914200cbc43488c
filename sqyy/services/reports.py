"""社情民意 reports: submission, review, editing and adoption, 批示, 报送 and 上级采用."""

from zhengxie.params import is_int
from zhengxie.textsearch import file_text, index_texts

from ._base import (
    Bulletin,
    DutyRecord,
    Forwarding,
    Instruction,
    InvalidInput,
    Kind,
    Member,
    OpinionAttachment,
    OpinionReport,
    PermissionDenied,
    Role,
    State,
    TransitionNotAllowed,
    UpperAdoption,
    _clean_category,
    _clean_text,
    _duty,
    _lock,
    _move,
    _notify_reflector,
    _require_owner,
    _require_state,
    _staff_users,
    _today,
    audit_record,
    check_upload,
    date,
    notify,
    parse_date,
    require_role,
    timezone,
    transaction,
    transition_record,
)

# --- reporting -------------------------------------------------------------------------------------


@transaction.atomic
def opinion_report_create_submitted(
    *,
    actor,
    title: str,
    content: str,
    category: str = "",
    reflector: Member | None = None,
    reflector_name: str = "",
    comment: str = "",
) -> OpinionReport:
    """A report that arrives already submitted, e.g. a proposal not registered and turned into 社情民意."""
    report = OpinionReport.objects.create(
        title=title[:200],
        content=content,
        category=category,
        reflector_kind=Kind.MEMBER if reflector is not None else Kind.ORGANIZATION,
        reflector=reflector,
        reflector_name=reflector_name,
        created_by=actor,
        state=OpinionReport.State.SUBMITTED,
        submitted_at=timezone.now(),
    )
    transition_record(
        actor=actor,
        target=report,
        from_state="",
        to_state=OpinionReport.State.SUBMITTED,
        action="create",
        comment=comment,
    )
    audit_record(actor=actor, action="opinion_report_create", target=report)
    return report


@transaction.atomic
def opinion_report_create(
    *,
    actor,
    title: str,
    content: str,
    category: str = "",
    is_urgent: bool = False,
    reflector_kind: str | None = None,
    reflector: Member | int | None = None,
    reflector_name: str = "",
) -> OpinionReport:
    """A draft. A member reports in their own name; staff enter one for a member, a party, an
    organisation, a 界别 or 专委会, or in the office's own name."""
    require_role(actor, Role.MEMBER, Role.STAFF)
    title, content = _clean_text(title, content)
    reflector_name = (reflector_name or "").strip()
    if actor.effective_role == Role.MEMBER:
        member = getattr(actor, "member", None)
        if member is None:
            raise PermissionDenied("您的账号未关联委员信息。")
        kind, reflector, reflector_name = Kind.MEMBER, member, ""
    else:
        kind = reflector_kind or Kind.STAFF
        if kind not in Kind.values:
            raise InvalidInput("反映人类型只能是委员、民主党派、人民团体/组织、界别、专委会或机关工作人员。")
        if kind == Kind.MEMBER:
            if reflector in (None, ""):
                raise InvalidInput("请选择反映的委员。")
            pk = reflector.pk if isinstance(reflector, Member) else reflector
            reflector = Member.objects.filter(pk=pk).first() if is_int(pk) else None
            if reflector is None:
                raise InvalidInput("反映的委员不存在。")
            reflector_name = ""
        else:
            reflector = None
            if kind == Kind.STAFF and not reflector_name:
                reflector_name = actor.display_name
            if not reflector_name:
                raise InvalidInput("请填写反映单位名称（党派、团体、界别或专委会）。")
    report = OpinionReport.objects.create(
        title=title,
        content=content,
        category=_clean_category(category),
        is_urgent=bool(is_urgent),
        reflector_kind=kind,
        reflector=reflector,
        reflector_name=reflector_name[:200],
        created_by=actor,
    )
    transition_record(actor=actor, target=report, from_state="", to_state=State.DRAFT, action="create")
    audit_record(actor=actor, action="opinion_report_create", target=report)
    return report


@transaction.atomic
def opinion_report_update(
    *, actor, report: OpinionReport | int, title=None, content=None, category=None, is_urgent=None
) -> OpinionReport:
    """The reflector (or whoever entered it) changes a draft or a returned report."""
    report = _lock(report)
    _require_owner(actor, report)
    _require_state(report, State.DRAFT, State.RETURNED, action="修改")
    title, content = _clean_text(
        report.title if title is None else title, report.content if content is None else content
    )
    report.title, report.content = title, content
    if category is not None:
        report.category = _clean_category(category, current=report.category)
    if is_urgent is not None:
        report.is_urgent = bool(is_urgent)
    report.save(update_fields=["title", "content", "category", "is_urgent", "updated_at"])
    audit_record(actor=actor, action="opinion_report_update", target=report)
    return report


@transaction.atomic
def opinion_report_edit(
    *, actor, report: OpinionReport | int, title=None, content=None, category=None, is_urgent=None
) -> OpinionReport:
    """The office edits the text for the bulletin; the reflector's original stays as it was."""
    require_role(actor, Role.STAFF)
    report = _lock(report)
    _require_state(report, *OpinionReport.EDITABLE_BY_STAFF, action="编辑")
    _set_edited_text(report, title, content)
    if category is not None:
        report.category = _clean_category(category, current=report.category)
    if is_urgent is not None:
        report.is_urgent = bool(is_urgent)
    report.save(update_fields=["edited_title", "edited_content", "category", "is_urgent", "updated_at"])
    audit_record(actor=actor, action="opinion_report_edit", target=report)
    return report


def _set_edited_text(report: OpinionReport, title, content) -> None:
    """An edit equal to the original is stored as no edit, so "edited" means something changed."""
    new_title = report.final_title if title in (None, "") else title
    new_content = report.final_content if content in (None, "") else content
    new_title, new_content = _clean_text(new_title, new_content)
    report.edited_title = "" if new_title == report.title else new_title
    report.edited_content = "" if new_content == report.content else new_content


@transaction.atomic
def opinion_report_attachment_add(*, actor, report: OpinionReport | int, file) -> OpinionAttachment:
    report = _lock(report)
    if not has_staff_role(actor):
        _require_owner(actor, report)
        _require_state(report, State.DRAFT, State.RETURNED, action="上传附件")
    if file is None:
        raise InvalidInput("请选择附件。")
    check_upload(file, label="附件")
    name = file.name.rsplit("/", 1)[-1][:200]
    attachment = OpinionAttachment(
        report=report, name=name, size=file.size, uploaded_by=actor, text=file_text(file, name)
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    refresh_files(report.pk)
    audit_record(actor=actor, action="opinion_report_attachment_add", target=report, name=name)
    return attachment


def refresh_files(report_id: int) -> None:
    """search_files from the stored text of the report's attachments (the list's `q`)."""
    texts = (
        OpinionAttachment.objects.filter(report_id=report_id).order_by("id").values_list("text", flat=True)
    )
    OpinionReport.objects.filter(pk=report_id).update(search_files=index_texts(*texts))


def has_staff_role(actor) -> bool:
    return bool(actor.is_authenticated and actor.effective_role == Role.STAFF)


@transaction.atomic
def opinion_report_submit(*, actor, report: OpinionReport | int) -> OpinionReport:
    report = _lock(report)
    _require_owner(actor, report)
    _require_state(report, State.DRAFT, State.RETURNED, action="提交")
    _clean_text(report.title, report.content)  # the policy may have shortened the limit since
    action = "resubmit" if report.state == State.RETURNED else "submit"
    report.submitted_at = timezone.now()
    report.return_reason = ""
    _move(
        report, actor=actor, to_state=State.SUBMITTED, action=action, fields=["submitted_at", "return_reason"]
    )
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_SUBMITTED, source=report, detail=report.title)
    if report.is_urgent:
        notify(
            recipients=_staff_users(),
            title=f"急事急报：{report.title}",
            body=f"{report.reflector_display}报送了一条急事急报的社情民意，请尽快处理。",
            link=f"/workbench/opinions/{report.pk}/",
        )
    return report


@transaction.atomic
def opinion_report_return(*, actor, report: OpinionReport | int, reason: str) -> OpinionReport:
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("退回修改须说明理由。")
    report = _lock(report)
    _require_state(report, State.SUBMITTED, action="退回")
    report.return_reason = reason
    _move(
        report,
        actor=actor,
        to_state=State.RETURNED,
        action="return",
        comment=reason,
        fields=["return_reason"],
    )
    _notify_reflector(report, f"社情民意退回修改：{report.title}", f"理由：{reason}")
    return report


@transaction.atomic
def opinion_report_adopt(*, actor, report: OpinionReport | int, title=None, content=None) -> OpinionReport:
    """采用, optionally with the office's edited title and text."""
    require_role(actor, Role.STAFF)
    report = _lock(report)
    if report.state == State.ADOPTED:
        raise TransitionNotAllowed("这条社情民意已经采用，不能重复采用。")
    _require_state(report, State.SUBMITTED, action="采用")
    _set_edited_text(report, title, content)
    report.adopted_at, report.adopted_by = timezone.now(), actor
    _move(
        report,
        actor=actor,
        to_state=State.ADOPTED,
        action="adopt",
        fields=["edited_title", "edited_content", "adopted_at", "adopted_by"],
    )
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_ADOPTED, source=report, detail=report.title)
    _notify_reflector(
        report, f"社情民意已采用：{report.title}", "您反映的社情民意信息已被采用，将编入《社情民意》。"
    )
    return report


@transaction.atomic
def opinion_report_reject(*, actor, report: OpinionReport | int, reason: str) -> OpinionReport:
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("不予采用须说明理由。")
    report = _lock(report)
    _require_state(report, State.SUBMITTED, action="不予采用")
    report.rejection_reason = reason
    _move(
        report,
        actor=actor,
        to_state=State.NOT_ADOPTED,
        action="reject",
        comment=reason,
        fields=["rejection_reason"],
    )
    _notify_reflector(report, f"社情民意未采用：{report.title}", f"理由：{reason}")
    return report


# --- 批示, 报送, 上级采用 ----------------------------------------------------------------------------


@transaction.atomic
def opinion_report_add_instruction(
    *, actor, report: OpinionReport | int, leader: str, level: str, content: str, date=None
) -> Instruction:
    require_role(actor, Role.STAFF, Role.LEADER)
    leader, content = (leader or "").strip(), (content or "").strip()
    if not leader:
        raise InvalidInput("请填写批示领导。")
    if level not in Instruction.Level.values:
        raise InvalidInput("批示级别只能是区级、市级、省级或国家级。")
    if not content:
        raise InvalidInput("请填写批示内容。")
    day = parse_date(date, "批示日期", default=_today())
    if day > _today():
        raise InvalidInput("批示日期不能晚于今天。")
    report = _lock(report)
    _require_state(report, *OpinionReport.INSTRUCTABLE, State.CLOSED, action="录入批示")
    instruction = Instruction.objects.create(
        report=report, leader=leader[:100], level=level, content=content, date=day, recorded_by=actor
    )
    label = f"{instruction.get_level_display()}领导{leader}批示"
    transition_record(
        actor=actor,
        target=report,
        from_state=report.state,
        to_state=report.state,
        action="instruct",
        comment=label,
    )
    audit_record(actor=actor, action="opinion_report_instruct", target=report, leader=leader, level=level)
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_INSTRUCTED, source=instruction, detail=label)
    _notify_reflector(report, f"社情民意获批示：{report.final_title}", f"{label}：{content[:200]}")
    return instruction


def _forward(report: OpinionReport, *, actor, to: str, day: date, bulletin: Bulletin | None) -> Forwarding:
    forwarding = Forwarding.objects.create(
        report=report, bulletin=bulletin, to=to, date=day, created_by=actor
    )
    if report.state == State.PUBLISHED:
        report.forwarded_at = timezone.now()
        _move(
            report,
            actor=actor,
            to_state=State.FORWARDED,
            action="forward",
            comment=f"报送{to}",
            fields=["forwarded_at"],
        )
    else:
        transition_record(
            actor=actor,
            target=report,
            from_state=report.state,
            to_state=report.state,
            action="forward",
            comment=f"报送{to}",
        )
    return forwarding


def _clean_to(to) -> str:
    to = (to or "").strip()
    if not to:
        raise InvalidInput("请填写报送单位（如市委办公室、市政府办公室、省政协）。")
    return to[:300]


@transaction.atomic
def opinion_report_forward(*, actor, report: OpinionReport | int, to: str, date=None) -> Forwarding:
    """报送 one published report on its own (a bulletin is forwarded as a whole by bulletin_forward)."""
    require_role(actor, Role.STAFF)
    to, day = _clean_to(to), parse_date(date, "报送日期", default=_today())
    report = _lock(report)
    _require_state(report, State.PUBLISHED, State.FORWARDED, State.TRANSFERRED, action="报送")
    forwarding = _forward(report, actor=actor, to=to, day=day, bulletin=None)
    audit_record(actor=actor, action="opinion_report_forward", target=report, to=to)
    return forwarding


@transaction.atomic
def opinion_report_record_upper_adoption(
    *, actor, report: OpinionReport | int, body: str, kind: str, date=None, note: str = ""
) -> UpperAdoption:
    """上级采用: a body it was sent to took it up, alone (单篇采用) or in a compilation (转送采用)."""
    require_role(actor, Role.STAFF)
    body = (body or "").strip()
    if not body:
        raise InvalidInput("请填写采用单位。")
    if kind not in UpperAdoption.Kind.values:
        raise InvalidInput("采用方式只能是单篇采用或转送采用。")
    day = parse_date(date, "采用日期", default=_today())
    report = _lock(report)
    if not report.forwardings.exists():
        raise TransitionNotAllowed("这条社情民意尚未报送，不能登记上级采用。")
    adoption = UpperAdoption.objects.create(
        report=report,
        body=body[:200],
        kind=kind,
        date=day,
        note=(note or "").strip()[:300],
        recorded_by=actor,
    )
    label = f"{body}{adoption.get_kind_display()}"
    transition_record(
        actor=actor,
        target=report,
        from_state=report.state,
        to_state=report.state,
        action="upper_adopt",
        comment=label,
    )
    audit_record(actor=actor, action="opinion_report_upper_adopt", target=report, body=body, kind=kind)
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_UPPER_ADOPTED, source=adoption, detail=label)
    _notify_reflector(report, f"社情民意被上级采用：{report.final_title}", label)
    return adoption
