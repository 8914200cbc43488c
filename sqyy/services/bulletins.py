"""《社情民意》 bulletins: yearly numbering, composing, publishing and forwarding."""

from ._base import (
    Bulletin,
    BulletinItem,
    BulletinSequence,
    IntegrityError,
    InvalidInput,
    OpinionReport,
    Role,
    State,
    TransitionNotAllowed,
    _lock,
    _lock_bulletin,
    _move,
    _notify_reflector,
    _today,
    audit_record,
    parse_date,
    require_role,
    timezone,
    transaction,
    transition_record,
)
from .reports import (
    _clean_to,
    _forward,
    opinion_report_attachment_add,
    opinion_report_create,
    opinion_report_submit,
    opinion_report_update,
)

# --- 《社情民意》 bulletins -------------------------------------------------------------------------


def _next_issue_number(year: int) -> int:
    """Lock the year's sequence row in the caller's transaction: no repeats, and a rollback leaves no gap."""
    sequence = BulletinSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                BulletinSequence.objects.create(year=year, last_number=0)
        except IntegrityError:
            pass  # another editor created it first; lock theirs below
        sequence = BulletinSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _bulletin_move(
    bulletin: Bulletin, *, actor, to_state: str, action: str, comment: str = "", fields=()
) -> None:
    from_state = bulletin.state
    bulletin.state = to_state
    bulletin.save(update_fields=["state", *fields])
    transition_record(
        actor=actor, target=bulletin, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"bulletin_{action}", target=bulletin, to_state=to_state)


@transaction.atomic
def bulletin_create(*, actor, year=None, date=None, title: str = "", editor_note: str = "") -> Bulletin:
    """A new issue with the next number of its year (2026年第12期)."""
    require_role(actor, Role.STAFF)
    day = parse_date(date, "日期", default=_today())
    if year in (None, ""):
        year = day.year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("年份无效。") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份无效。")
    if date in (None, "") and year != day.year:
        day = (
            day.replace(year=year, month=12, day=31)
            if year < day.year
            else day.replace(year=year, month=1, day=1)
        )
    if day.year != year:
        raise InvalidInput("期刊日期须在所属年份内。")
    bulletin = Bulletin.objects.create(
        year=year,
        number=_next_issue_number(year),
        title=(title or "").strip()[:100] or "社情民意",
        date=day,
        editor_note=(editor_note or "").strip(),
        created_by=actor,
    )
    transition_record(
        actor=actor, target=bulletin, from_state="", to_state=Bulletin.State.DRAFT, action="create"
    )
    audit_record(actor=actor, action="bulletin_create", target=bulletin)
    return bulletin


@transaction.atomic
def bulletin_update(*, actor, bulletin: Bulletin | int, date=None, title=None, editor_note=None) -> Bulletin:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed("期刊已刊发，不能再修改。")
    if date not in (None, ""):
        day = parse_date(date, "日期", default=_today())
        if day.year != bulletin.year:
            raise InvalidInput("期刊日期须在所属年份内。")
        bulletin.date = day
    if title is not None:
        bulletin.title = title.strip()[:100] or "社情民意"
    if editor_note is not None:
        bulletin.editor_note = editor_note.strip()
    bulletin.save(update_fields=["date", "title", "editor_note"])
    audit_record(actor=actor, action="bulletin_update", target=bulletin)
    return bulletin


def _require_draft(bulletin: Bulletin) -> None:
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed(f"{bulletin.issue_label}已刊发，不能再调整篇目。")


@transaction.atomic
def bulletin_add_report(
    *, actor, bulletin: Bulletin | int, report: OpinionReport | int, position: int | None = None
) -> BulletinItem:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    try:
        report = _lock(report)
    except OpinionReport.DoesNotExist:
        raise InvalidInput("社情民意不存在。") from None
    if report.state != State.ADOPTED:
        raise InvalidInput(
            f"只有已采用的社情民意才能编入期刊（《{report.title}》当前为“{report.get_state_display()}”）。"
        )
    existing = BulletinItem.objects.filter(report=report).select_related("bulletin").first()
    if existing is not None:
        raise InvalidInput(f"《{report.final_title}》已编入{existing.bulletin.issue_label}。")
    items = list(BulletinItem.objects.filter(bulletin=bulletin).order_by("order", "id"))
    item = BulletinItem(bulletin=bulletin, report=report)
    index = len(items) if position is None else max(0, min(int(position) - 1, len(items)))
    items.insert(index, item)
    item.order = index + 1
    item.save()
    _renumber(items)
    audit_record(actor=actor, action="bulletin_add_report", target=bulletin, report=report.pk)
    return item


def _renumber(items: list[BulletinItem]) -> None:
    for order, item in enumerate(items, start=1):
        item.order = order
    BulletinItem.objects.bulk_update(items, ["order"])


@transaction.atomic
def bulletin_remove_report(*, actor, bulletin: Bulletin | int, report: OpinionReport | int) -> None:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    report_id = report.pk if isinstance(report, OpinionReport) else report
    deleted, _ = BulletinItem.objects.filter(bulletin=bulletin, report_id=report_id).delete()
    if not deleted:
        raise InvalidInput("这条社情民意不在本期中。")
    _renumber(list(BulletinItem.objects.filter(bulletin=bulletin).order_by("order", "id")))
    audit_record(actor=actor, action="bulletin_remove_report", target=bulletin, report=report_id)


@transaction.atomic
def bulletin_reorder(*, actor, bulletin: Bulletin | int, report_ids: list) -> Bulletin:
    """Set the order of the issue's reports: `report_ids` must list each of them exactly once."""
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    try:
        wanted = [int(pk) for pk in report_ids]
    except (TypeError, ValueError):
        raise InvalidInput("篇目顺序无效。") from None
    items = {item.report_id: item for item in BulletinItem.objects.filter(bulletin=bulletin)}
    if len(wanted) != len(set(wanted)) or set(wanted) != set(items):
        raise InvalidInput("排序须包含本期全部篇目，且每篇只出现一次。")
    _renumber([items[pk] for pk in wanted])
    audit_record(actor=actor, action="bulletin_reorder", target=bulletin, order=wanted)
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor, bulletin: Bulletin | int) -> Bulletin:
    """刊发: the issue and each of its reports become published."""
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed(f"{bulletin.issue_label}已刊发。")
    report_ids = list(BulletinItem.objects.filter(bulletin=bulletin).values_list("report_id", flat=True))
    if not report_ids:
        raise InvalidInput("本期还没有篇目，不能刊发。")
    now = timezone.now()
    for report in (
        OpinionReport.objects.select_for_update(of=("self",))
        .select_related("reflector__user", "created_by")
        .filter(pk__in=report_ids)
    ):
        if report.state != State.ADOPTED:
            raise TransitionNotAllowed(
                f"《{report.final_title}》当前为“{report.get_state_display()}”，不能刊发。"
            )
        report.published_at = now
        _move(
            report,
            actor=actor,
            to_state=State.PUBLISHED,
            action="publish",
            comment=bulletin.issue_label,
            fields=["published_at"],
        )
        _notify_reflector(
            report,
            f"社情民意已刊发：{report.final_title}",
            f"编入《{bulletin.title}》{bulletin.issue_label}。",
        )
    bulletin.published_at = now
    _bulletin_move(
        bulletin, actor=actor, to_state=Bulletin.State.PUBLISHED, action="publish", fields=["published_at"]
    )
    return bulletin


@transaction.atomic
def bulletin_forward(*, actor, bulletin: Bulletin | int, to: str, date=None) -> Bulletin:
    """报送 the issue (to the Party committee, the government, the 上级政协): a 报送 record per report."""
    require_role(actor, Role.STAFF)
    to, day = _clean_to(to), parse_date(date, "报送日期", default=_today())
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state == Bulletin.State.DRAFT:
        raise TransitionNotAllowed("期刊刊发后才能报送。")
    reports = (
        OpinionReport.objects.select_for_update(of=("self",))
        .filter(bulletin_item__bulletin=bulletin)
        .order_by("bulletin_item__order")
    )
    for report in reports:
        _forward(report, actor=actor, to=to, day=day, bulletin=bulletin)
    bulletin.forwarded_to = "；".join(filter(None, [bulletin.forwarded_to, to]))[:300]
    bulletin.forwarded_on = day
    if bulletin.state == Bulletin.State.PUBLISHED:
        _bulletin_move(
            bulletin,
            actor=actor,
            to_state=Bulletin.State.FORWARDED,
            action="forward",
            comment=to,
            fields=["forwarded_to", "forwarded_on"],
        )
    else:
        bulletin.save(update_fields=["forwarded_to", "forwarded_on"])
        transition_record(
            actor=actor,
            target=bulletin,
            from_state=bulletin.state,
            to_state=bulletin.state,
            action="forward",
            comment=to,
        )
        audit_record(actor=actor, action="bulletin_forward", target=bulletin, to=to)
    return bulletin


@transaction.atomic
def opinion_report_save(
    *, actor, report: OpinionReport | int | None = None, submit: bool = False, attachment=None, **fields
) -> OpinionReport:
    """The report form's one call: create (or change) the draft, keep its attachment, and submit it
    when asked — all or nothing, so a refused submission leaves no half-saved draft behind."""
    if report is None:
        report = opinion_report_create(actor=actor, **fields)
    else:
        allowed = {k: fields[k] for k in ("title", "content", "category", "is_urgent") if k in fields}
        report = opinion_report_update(actor=actor, report=report, **allowed)
    if attachment is not None:
        opinion_report_attachment_add(actor=actor, report=report, file=attachment)
    if submit:
        report = opinion_report_submit(actor=actor, report=report)
    return report
