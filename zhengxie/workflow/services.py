from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry, TransitionLog


def audit_record(*, actor, action: str, target: models.Model | None = None, **detail) -> AuditEntry:
    """Write the audit row for a change; call it inside the service's transaction."""
    entry = audit_entry(actor=actor, action=action, target=target, **detail)
    entry.save(force_insert=True)
    return entry


def audit_entry(*, actor, action: str, target: models.Model | None = None, **detail) -> AuditEntry:
    """An unsaved audit row, for services that write many rows at once (`AuditEntry.objects.bulk_create`)."""
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        detail=detail,
    )


def transition_record(
    *, actor, target: models.Model, from_state: str, to_state: str, action: str = "", comment: str = ""
) -> TransitionLog:
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
    )


# --- work calendar -----------------------------------------------------------------------------------


def work_calendar_load_year(*, actor, year: int) -> dict:
    """Load a year from the chinesecalendar package; days staff entered by hand are kept.

    Returns counts; recomputes the due dates of open work when anything changed.
    """
    from django.db import transaction

    from .calendar import package_days
    from .models import WorkCalendarDay

    days = package_days(year)  # raises CalendarYearUnavailable before anything is written
    with transaction.atomic():
        existing = {d.date: d for d in WorkCalendarDay.objects.select_for_update().filter(date__year=year)}
        created = updated = kept = 0
        for day, is_workday, name in days:
            row = existing.get(day)
            if row is None:
                WorkCalendarDay.objects.create(
                    date=day, is_workday=is_workday, name=name, source=WorkCalendarDay.Source.PACKAGE
                )
                created += 1
            elif row.source == WorkCalendarDay.Source.MANUAL:
                kept += 1
            elif (row.is_workday, row.name) != (is_workday, name):
                row.is_workday, row.name = is_workday, name
                row.save(update_fields=["is_workday", "name", "updated_at"])
                updated += 1
        audit_record(
            actor=actor, action="work_calendar_load_year", year=year, created=created, updated=updated
        )
        recomputed = (
            handling_tasks_recompute_due(actor=actor, reason=f"载入{year}年工作日历")
            if created or updated
            else 0
        )
    return {"created": created, "updated": updated, "kept_manual": kept, "recomputed": recomputed}


def work_calendar_enter_year(*, actor, year: int, text: str) -> dict:
    """A year's official 放假安排 typed in one go (calendar.parse_holiday_notice): every day of the year is
    written (the named holidays and 调休 working days as given, the rest Monday–Friday), replacing what the
    year had; then open due dates are recomputed and the departments told (handling_tasks_recompute_due).

    Returns counts (holidays, workdays named, recomputed)."""
    from datetime import date, timedelta

    from django.db import transaction

    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role

    from .calendar import parse_holiday_notice
    from .models import WorkCalendarDay

    require_role(actor, Role.STAFF)
    named = {day: (is_work, name) for day, is_work, name in parse_holiday_notice(text, year)}
    with transaction.atomic():
        existing = {d.date: d for d in WorkCalendarDay.objects.select_for_update().filter(date__year=year)}
        day, changed = date(year, 1, 1), 0
        while day.year == year:
            is_work, name = named.get(day, (day.weekday() < 5, ""))
            row = existing.get(day)
            if row is None:
                WorkCalendarDay.objects.create(
                    date=day, is_workday=is_work, name=name, source=WorkCalendarDay.Source.MANUAL
                )
                changed += 1
            elif (row.is_workday, row.name, row.source) != (is_work, name, WorkCalendarDay.Source.MANUAL):
                row.is_workday, row.name, row.source = is_work, name, WorkCalendarDay.Source.MANUAL
                row.save(update_fields=["is_workday", "name", "source", "updated_at"])
                changed += 1
            day += timedelta(days=1)
        holidays = sum(1 for is_work, _ in named.values() if not is_work)
        workdays = len(named) - holidays
        audit_record(
            actor=actor,
            action="work_calendar_holidays_enter",
            year=year,
            holidays=holidays,
            workdays=workdays,
            changed=changed,
            text=text,
        )
        recomputed = handling_tasks_recompute_due(actor=actor, reason=f"录入{year}年节假日安排")
    return {"holidays": holidays, "workdays": workdays, "changed": changed, "recomputed": recomputed}


def work_calendar_day_set(*, actor, day, is_workday: bool, name: str = ""):
    """Staff correct one day (e.g. a local holiday); open work's due dates follow."""
    from django.db import transaction

    from .models import WorkCalendarDay

    with transaction.atomic():
        row, _ = WorkCalendarDay.objects.select_for_update().get_or_create(
            date=day,
            defaults={"is_workday": is_workday, "name": name, "source": WorkCalendarDay.Source.MANUAL},
        )
        row.is_workday, row.name, row.source = is_workday, name, WorkCalendarDay.Source.MANUAL
        row.save(update_fields=["is_workday", "name", "source", "updated_at"])
        audit_record(
            actor=actor, action="work_calendar_day_set", target=row, is_workday=is_workday, name=name
        )
        handling_tasks_recompute_due(actor=actor, reason=f"工作日历调整：{day:%Y-%m-%d}")
    return row


def handling_tasks_recompute_due(*, actor, reason: str) -> int:
    """Recompute stored due dates of every open task computed from a span; tell the departments."""
    from zhengxie.accounts.models import User
    from zhengxie.notifications.services import notify

    from .calendar import WorkCalendar
    from .registry import handling_task_kinds

    changed = 0
    for model in handling_task_kinds():
        tasks = list(
            model.objects.select_for_update()
            .filter(state__in=model.OPEN_STATES)
            .exclude(due_span="")
            .select_related("department")
        )
        if not tasks:
            continue
        cal = WorkCalendar(min(t.due_basis for t in tasks).year, max(t.due_basis for t in tasks).year + 2)
        recipients: dict[int, list] = {}
        for task in tasks:
            due = cal.due(task.due_basis, task.due_span)
            if (due.date, due.provisional) == (task.due_date, task.due_provisional):
                continue
            old = task.due_date
            task.due_date, task.due_provisional = due.date, due.provisional
            task.save(update_fields=["due_date", "due_provisional"])
            audit_record(
                actor=actor, action="due_date_recompute", target=task, old=str(old), new=str(due.date)
            )
            changed += 1
            if old != due.date:
                users = recipients.setdefault(
                    task.department_id,
                    list(User.objects.filter(department_id=task.department_id, is_active=True)),
                )
                notify(
                    recipients=users,
                    title=f"办理期限调整：{task}",
                    body=f"因{reason}，办理期限由{old:%Y-%m-%d}调整为{due.date:%Y-%m-%d}。",
                )
    return changed


# --- staff-maintained rows edited in the admin ---------------------------------------------------------


def reference_save(*, actor, obj: models.Model, created: bool, fields=(), action: str = "") -> models.Model:
    """Save one row staff keep in the admin (a category, a sector, a policy…) with its audit row.

    The admin's only way to write such rows (zhengxie.workflow.admin_base.AuditedAdmin); domain objects
    with their own rules have their own services instead."""
    from django.db import transaction

    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role

    require_role(actor, Role.STAFF)
    with transaction.atomic():
        obj.save()
        audit_record(
            actor=actor,
            action=action or f"{obj._meta.model_name}_{'create' if created else 'update'}",
            target=obj,
            fields=sorted(fields),
        )
    return obj


def reference_delete(*, actor, obj: models.Model, action: str = "") -> None:
    """Delete one staff-kept row; the audit row names what was deleted."""
    from django.db import transaction

    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role

    require_role(actor, Role.STAFF)
    with transaction.atomic():
        audit_record(actor=actor, action=action or f"{obj._meta.model_name}_delete", target=obj)
        obj.delete()


def handling_policy_save(*, actor, policy, created: bool, fields=()):
    """Staff edit the handling policy (deadlines, reminder thresholds); audited like every write."""
    return reference_save(
        actor=actor,
        obj=policy,
        created=created,
        fields=fields,
        action="handling_policy_create" if created else "handling_policy_update",
    )
