"""Writes for the members app. Every function: keyword-only, acting user first, atomic, audited."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengxie.accounts.activation import activation_url, expires_on
from zhengxie.accounts.imports import (
    Credential,
    ImportRejected,
    ImportReport,
    RowOutcome,
    Table,
    users_by_username,
)
from zhengxie.accounts.models import Role, User
from zhengxie.accounts.permissions import require_role
from zhengxie.text import fit
from zhengxie.workflow.inputs import check_content, safe_file_name
from zhengxie.workflow.models import AuditEntry
from zhengxie.workflow.services import audit_entry, audit_record, reference_save

from .imports import check_member_rows
from .models import Member, Party, Sector, SpecialCommittee, Term

# Member fields a roster row sets, in the order the file has them.
_ROW_FIELDS = ("name", "gender", "ethnicity", "birth_date", "position", "employer", "mobile", "email")


class _Lookup:
    """Reference entries (党派, 界别, 专委会) matched by name and created on first use."""

    def __init__(self, *, actor, model, kind: str, report: ImportReport):
        self.actor, self.model, self.kind, self.report = actor, model, kind, report
        self.by_name = {}
        for obj in model.objects.all():
            self.by_name[obj.name] = obj
        if model is Party:
            # 民盟 in a file means 中国民主同盟; full names win over short ones.
            for obj in model.objects.exclude(short_name=""):
                self.by_name.setdefault(obj.short_name, obj)

    def get(self, name: str):
        if not name:
            return None
        obj = self.by_name.get(name)
        if obj is None:
            obj = self.model.objects.create(name=name)
            audit_record(actor=self.actor, action=f"{self.model._meta.model_name}_create", target=obj)
            self.by_name[name] = obj
            self.report.created_refs.setdefault(self.kind, []).append(name)
        return obj


def members_import(*, actor, table: Table, dry_run: bool = False, progress=None) -> ImportReport:
    """Import a member roster (API.md "Operations"): all rows or none, keyed by 用户名.

    New 用户名 get a member account (password from 初始密码 or random, listed in report.credentials);
    existing accounts keep their passwords. Unchanged rows are not written at all, so a re-import of
    the same file changes nothing. With dry_run all is done and rolled back (the admin's preview).
    `actor` None is the operator at the command line.

    One transaction and a fixed number of queries whatever the number of rows: references are read
    once per table, accounts and members are written with bulk_create / bulk_update, audit rows too.
    `progress(done, total)` is called now and then (the background job's progress bar)."""
    if actor is not None:
        require_role(actor, Role.STAFF)
    report = ImportReport(noun="委员", created_refs={"党派": [], "界别": [], "专委会": []})
    with transaction.atomic():
        rows, errors = check_member_rows(table)
        if errors:
            raise ImportRejected(errors)
        total = len(rows)
        parties = _Lookup(actor=actor, model=Party, kind="党派", report=report)
        sectors = _Lookup(actor=actor, model=Sector, kind="界别", report=report)
        committees = _Lookup(actor=actor, model=SpecialCommittee, kind="专委会", report=report)
        users = users_by_username(r.username for r in rows)
        members = {
            m.user_id: m
            for m in Member.objects.filter(user__in=list(users.values()))
            .select_for_update(of=("self",))
            .prefetch_related("committees")
        }
        current_term = Term.objects.filter(is_current=True).first()
        now = timezone.now()
        audits: list = []
        new_users: list[tuple[object, User]] = []  # (row, unsaved account)
        changed_users: dict[int, User] = {}
        plans = []  # (row, user or None, member or None, wanted, committee ids, user changed)
        for row in rows:
            wanted = {f: getattr(row, f) for f in _ROW_FIELDS}
            wanted["party_id"] = _pk(parties.get(row.party))
            wanted["sector_id"] = _pk(sectors.get(row.sector))
            wanted_committees = {committees.get(name).pk for name in row.committees}
            user = users.get(row.username.lower())
            profile_changed = False
            if user is None:
                user = User(
                    username=row.username,
                    role=Role.MEMBER,
                    name=row.name,
                    email=row.email,
                    phone=row.mobile,
                    is_staff=False,
                )
                if row.password:
                    user.set_password(row.password)  # the operator chose it: hashed, as user_create does
                else:
                    # No hash at import: the member sets a password through the activation link.
                    user.set_unusable_password()
                new_users.append((row, user))
            else:
                changes = _user_changes(user, name=row.name, email=row.email, phone=row.mobile)
                if changes:
                    profile_changed = True
                    changed_users[user.pk] = user
                    audits.append(
                        audit_entry(actor=actor, action="user_profile_update", target=user, fields=changes)
                    )
            plans.append((row, user, members.get(user.pk), wanted, wanted_committees, profile_changed))

        if new_users:
            User.objects.bulk_create([u for _, u in new_users], batch_size=_BATCH)
            for row, user in new_users:
                audits.append(audit_entry(actor=actor, action="user_create", target=user, role=Role.MEMBER))
                if not row.password:
                    report.credentials.append(
                        Credential(
                            user.username,
                            row.name,
                            activation_url=activation_url(user),
                            expires_on=expires_on(),
                        )
                    )
        if changed_users:
            User.objects.bulk_update(
                list(changed_users.values()), ["name", "email", "phone"], batch_size=_BATCH
            )
        _report(progress, total // 3, total)

        created: list[Member] = []
        updated: list[Member] = []
        links_set: list[tuple[Member, set[int]]] = []  # committees of new members and changed ones
        links_cleared: list[int] = []
        for row, user, member, wanted, wanted_committees, profile_changed in plans:
            if member is None:
                member = Member(user=user, term=current_term, created_at=now, updated_at=now, **wanted)
                created.append(member)
                links_set.append((member, wanted_committees))
                action = "new"
            else:
                changed = [f for f, v in wanted.items() if getattr(member, f) != v]
                committees_changed = {c.pk for c in member.committees.all()} != wanted_committees
                if changed or committees_changed:
                    for f in changed:
                        setattr(member, f, wanted[f])
                    if changed:
                        member.updated_at = now
                        updated.append(member)
                    if committees_changed:
                        links_cleared.append(member.pk)
                        links_set.append((member, wanted_committees))
                    fields = [f.removesuffix("_id") for f in changed]
                    if committees_changed:
                        fields.append("committees")
                    audits.append(
                        audit_entry(
                            actor=actor, action="member_update", target=member, fields=fields, source="import"
                        )
                    )
                    action = "update"
                else:
                    action = "update" if profile_changed else "skip"
            report.outcomes.append(RowOutcome(row.number, action, member, row.values))
        if created:
            Member.objects.bulk_create(created, batch_size=_BATCH)
            audits += [
                audit_entry(actor=actor, action="member_create", target=m, source="import") for m in created
            ]
        if updated:
            Member.objects.bulk_update(
                updated, [*_ROW_FIELDS, "party_id", "sector_id", "updated_at"], batch_size=_BATCH
            )
        _report(progress, 2 * total // 3, total)
        through = Member.committees.through
        if links_cleared:
            through.objects.filter(member_id__in=links_cleared).delete()
        if links_set:
            through.objects.bulk_create(
                [through(member_id=m.pk, specialcommittee_id=c) for m, ids in links_set for c in sorted(ids)],
                batch_size=_BATCH,
            )
        if report.created or report.updated:
            audits.append(
                audit_entry(
                    actor=actor,
                    action="members_import",
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                )
            )
        AuditEntry.objects.bulk_create(audits, batch_size=_BATCH)
        _report(progress, total, total)
        if dry_run:
            transaction.set_rollback(True)
    return report


_BATCH = 1000


def _pk(obj):
    return obj.pk if obj is not None else None


def _report(progress, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _user_changes(user: User, **wanted) -> list[str]:
    """Bring an account's contact details in line with the roster (as user_profile_update): the changed
    field names, sorted; the password is never touched."""
    changes = sorted(f for f, v in wanted.items() if getattr(user, f) != v)
    for f in changes:
        setattr(user, f, wanted[f])
    return changes


# --- duty records ------------------------------------------------------------------------------------


def record_duty(
    *,
    actor,
    member,
    kind: str,
    date,
    source=None,
    detail: str = "",
    share=1,
    people: int | None = None,
    note: str = "",
):
    """Record (or update) what a member did; called by the service of the app where it happened.

    Idempotent per (member, kind, source): recording the same event again updates detail/share
    instead of adding a second record, so retries and re-runs never double-count.
    """
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from .models import DutyRecord

    if kind not in DutyRecord.Kind.values:
        raise ValueError(f"unknown duty kind {kind!r}")
    values = {
        "date": date,
        # Callers pass user text here (a report's title, a leader's name): fit it to the column.
        "detail": fit(DutyRecord, "detail", detail),
        "share": Decimal(str(share)),
        "people": people,
        "note": note,
        "status": DutyRecord.Status.CONFIRMED,
        "created_by": actor if actor is not None and actor.is_authenticated else None,
    }
    with transaction.atomic():
        years = {values["date"].year}
        if source is None:
            record = DutyRecord.objects.create(member=member, kind=kind, **values)
        else:
            lookup = {
                "member": member,
                "kind": kind,
                "content_type": ContentType.objects.get_for_model(source),
                "object_id": source.pk,
            }
            record = DutyRecord.objects.select_for_update().filter(**lookup).first()
            if record is None:
                try:
                    with transaction.atomic():
                        record = DutyRecord.objects.create(**lookup, **values)
                except IntegrityError:  # recorded meanwhile by another transaction: update that one
                    record = DutyRecord.objects.select_for_update().get(**lookup)
                    _update_record(record, values, years)
            else:
                _update_record(record, values, years)
        audit_record(actor=actor, action="duty_record", target=record, kind=kind)
        refresh_duty_scores([(member.pk, y) for y in years])
    return record


def record_duty_many(*, actor, kind: str, date, entries) -> list:
    """record_duty for many (member, source, share) of one kind and date, in a bounded number of
    statements however many (the bulk register): the same records, audit rows and score refresh."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType

    from zhengxie.workflow.models import AuditEntry

    from .models import DutyRecord

    entries = list(entries)
    if not entries:
        return []
    user = actor if actor is not None and actor.is_authenticated else None
    values = {"date": date, "detail": "", "people": None, "note": "", "status": DutyRecord.Status.CONFIRMED}
    with transaction.atomic():
        source_type = ContentType.objects.get_for_model(entries[0][1])
        existing = {
            (r.member_id, r.object_id): r
            for r in DutyRecord.objects.select_for_update().filter(
                kind=kind, content_type=source_type, object_id__in={source.pk for _, source, _ in entries}
            )
        }
        years = {(member.pk, date.year) for member, _, _ in entries}
        to_create, to_update = [], []
        for member, source, share in entries:
            record = existing.get((member.pk, source.pk))
            if record is None:
                record = DutyRecord(member=member, kind=kind, content_type=source_type, object_id=source.pk)
                to_create.append(record)
            else:
                years.add((member.pk, record.date.year))
                to_update.append(record)
            for name, value in values.items():
                setattr(record, name, value)
            record.share = Decimal(str(share))
            record.created_by = user
        DutyRecord.objects.bulk_create(to_create)
        if to_update:
            DutyRecord.objects.bulk_update(to_update, [*values, "share", "created_by"])
        record_type = ContentType.objects.get_for_model(DutyRecord)
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor=user,
                action="duty_record",
                content_type=record_type,
                object_id=str(r.pk),
                object_repr=str(r)[:200],
                detail={"kind": kind},
            )
            for r in to_create + to_update
        )
        refresh_duty_scores(years)
    return to_create + to_update


def _update_record(record, values: dict, years: set) -> None:
    years.add(record.date.year)  # a record moved to another year leaves its old year too
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=list(values))


def refresh_duty_scores(pairs) -> None:
    """Keep the yearly scores (MemberYearScore) of these (member id, year) pairs equal to their records;
    every write of duty records calls this in its own transaction."""
    from .scoring import refresh_scores

    refresh_scores(pairs)


def withdraw_duty(*, actor, kind: str, source, members=None) -> int:
    """Remove system records of `kind` for a source (e.g. a co-signer who withdrew); returns the count."""
    from django.contrib.contenttypes.models import ContentType

    from .models import DutyRecord

    qs = DutyRecord.objects.filter(
        kind=kind, content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    )
    if members is not None:
        qs = qs.filter(member__in=members)
    with transaction.atomic():
        gone = list(qs.select_for_update().values_list("pk", "member_id", "date", "status"))
        if not gone:
            return 0
        count, _ = DutyRecord.objects.filter(pk__in=[pk for pk, *_ in gone]).delete()
        audit_record(actor=actor, action="duty_record_withdraw", target=source, kind=kind, count=count)
        refresh_duty_scores(
            {(m, d.year) for _, m, d, status in gone if status == DutyRecord.Status.CONFIRMED}
        )
    return count


# --- 委员履职: self-reports, review, scoring schemes, low-score reminders ------------------------------

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_COUNT = 9


def duty_report(*, actor, kind: str, date, note: str = "", people: int | None = None, photos=()):
    """A member reports an activity of their own (联系界别群众, 调研…); it is pending until staff confirm."""
    import os

    from django.utils import timezone

    from zhengxie.workflow.errors import InvalidInput

    from .models import DutyPhoto, DutyRecord
    from .scoring import SELF_REPORTABLE

    require_role(actor, Role.MEMBER)
    member = Member.objects.filter(user=actor).first()
    if member is None:
        raise InvalidInput("您的账号尚未关联委员档案。")
    if kind not in SELF_REPORTABLE:
        raise InvalidInput("该类型的履职记录由系统自动生成，不能自行填报。")
    if date is None or date > timezone.localdate():
        raise InvalidInput("活动日期不能晚于今天。")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请填写活动说明。")
    if people is not None and people < 0:
        raise InvalidInput("联系群众人数不能为负数。")
    if kind == DutyRecord.Kind.CONSTITUENCY_CONTACT and not people:
        raise InvalidInput("联系界别群众活动请填写联系群众人数。")
    photos = list(photos or [])
    if len(photos) > PHOTO_MAX_COUNT:
        raise InvalidInput(f"照片最多{PHOTO_MAX_COUNT}张。")
    for photo in photos:
        if os.path.splitext(photo.name)[1].lower() not in PHOTO_EXTENSIONS:
            raise InvalidInput(f"“{photo.name}”不是支持的图片格式（jpg、png、gif、webp、heic）。")
        if photo.size > PHOTO_MAX_BYTES:
            raise InvalidInput(f"“{photo.name}”超过10MB。")
        check_content(
            photo, extension=os.path.splitext(photo.name)[1].lower()[1:], label=f"照片“{photo.name}”"
        )
        photo.name = safe_file_name(photo.name)
    with transaction.atomic():
        record = DutyRecord.objects.create(
            member=member,
            kind=kind,
            date=date,
            note=note,
            people=people,
            status=DutyRecord.Status.PENDING,
            created_by=actor,
        )
        for photo in photos:
            DutyPhoto.objects.create(record=record, file=photo, name=photo.name[:200])
        audit_record(actor=actor, action="duty_report", target=record, kind=kind, photos=len(photos))
    return record


def _duty_review(*, actor, records, status: str, reason: str = "") -> list:
    from django.utils import timezone

    from zhengxie.notifications.services import notify
    from zhengxie.workflow.errors import TransitionNotAllowed

    from .models import DutyRecord

    require_role(actor, Role.STAFF)
    ids = [r.pk for r in records]
    with transaction.atomic():
        locked = list(
            DutyRecord.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("member__user")
            .order_by("pk")
        )
        not_pending = [r for r in locked if r.status != DutyRecord.Status.PENDING]
        if not_pending:
            raise TransitionNotAllowed(
                f"{not_pending[0].member.name} {not_pending[0].date} 的记录已{not_pending[0].get_status_display()}，不能再次审核。"
            )
        now = timezone.now()
        for record in locked:
            record.status = status
            record.decline_reason = reason
            record.reviewed_by = actor
            record.reviewed_at = now
        DutyRecord.objects.bulk_update(locked, ["status", "decline_reason", "reviewed_by", "reviewed_at"])
        confirmed = status == DutyRecord.Status.CONFIRMED
        if confirmed:
            refresh_duty_scores({(r.member_id, r.date.year) for r in locked})
        for record in locked:
            audit_record(
                actor=actor,
                action="duty_confirm" if confirmed else "duty_decline",
                target=record,
                reason=reason,
            )
            if record.member.user_id:
                title = (
                    f"您填报的“{record.get_kind_display()}”已确认"
                    if confirmed
                    else f"您填报的“{record.get_kind_display()}”未被确认"
                )
                body = f"活动日期：{record.date:%Y-%m-%d}。" + ("" if confirmed else f"原因：{reason}")
                notify(recipients=[record.member.user], title=title, body=body, link="/duty/")
    return locked


def duty_confirm(*, actor, record):
    """Staff confirm a member's self-report; from now on it counts."""
    from .models import DutyRecord

    return _duty_review(actor=actor, records=[record], status=DutyRecord.Status.CONFIRMED)[0]


def duty_decline(*, actor, record, reason: str):
    """Staff decline a self-report with a reason; it never counts."""
    from zhengxie.workflow.errors import InvalidInput

    from .models import DutyRecord

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写未确认原因。")
    return _duty_review(
        actor=actor, records=[record], status=DutyRecord.Status.DECLINED, reason=reason[:200]
    )[0]


def duty_confirm_bulk(*, actor, records) -> int:
    """Confirm many pending self-reports at once (all or none)."""
    from .models import DutyRecord

    return len(_duty_review(actor=actor, records=list(records), status=DutyRecord.Status.CONFIRMED))


def duty_decline_bulk(*, actor, records, reason: str) -> int:
    from zhengxie.workflow.errors import InvalidInput

    from .models import DutyRecord

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写未确认原因。")
    return len(
        _duty_review(
            actor=actor, records=list(records), status=DutyRecord.Status.DECLINED, reason=reason[:200]
        )
    )


def scoring_scheme_open(*, actor, year: int):
    """Open a year's 积分方案 for editing, copied from the latest earlier scheme (or the defaults).

    Scores of that year do not change by opening it when the copy equals what was in force."""
    from .models import ScoringRule, ScoringScheme
    from .scoring import default_scheme

    require_role(actor, Role.STAFF)
    with transaction.atomic():
        existing = ScoringScheme.objects.filter(year=year).first()
        if existing is not None:
            return existing
        source = ScoringScheme.objects.filter(year__lt=year).order_by("-year").first()
        if source is not None:
            caps = {f"cap_{g}": getattr(source, f"cap_{g}") for g in ScoringRule.Group.values}
            scheme = ScoringScheme.objects.create(
                year=year,
                low_line=source.low_line,
                contact_people_target=source.contact_people_target,
                contact_quarter_target=source.contact_quarter_target,
                **caps,
            )
            rules = [
                ScoringRule(
                    scheme=scheme, kind=r.kind, detail=r.detail, group=r.group, points=r.points, cap=r.cap
                )
                for r in source.rules.all()
            ]
        else:
            defaults = default_scheme(year)
            scheme = ScoringScheme.objects.create(
                year=year,
                low_line=defaults.low_line,
                contact_people_target=defaults.contact_people_target,
                contact_quarter_target=defaults.contact_quarter_target,
                **{f"cap_{g}": c for g, c in defaults.caps.items()},
            )
            rules = [
                ScoringRule(
                    scheme=scheme, kind=r.kind, detail=r.detail, group=r.group, points=r.points, cap=r.cap
                )
                for r in defaults.rules
            ]
        ScoringRule.objects.bulk_create(rules)
        _rescore_year(year)
        audit_record(
            actor=actor,
            action="scoring_scheme_open",
            target=scheme,
            year=year,
            copied_from=getattr(source, "year", None),
        )
    return scheme


def scoring_scheme_save(*, actor, scheme, changed: list[str] | None = None):
    """Save a year's caps / low line (admin); this recomputes that year's scores and no other."""
    from .models import ScoringScheme

    require_role(actor, Role.STAFF)
    with transaction.atomic():
        created = scheme.pk is None
        old_year = (
            None
            if created
            else ScoringScheme.objects.filter(pk=scheme.pk).values_list("year", flat=True).first()
        )
        scheme.save()
        for year in {scheme.year, old_year} - {None}:
            _rescore_year(year)
        audit_record(
            actor=actor,
            action="scoring_scheme_create" if created else "scoring_scheme_update",
            target=scheme,
            year=scheme.year,
            fields=changed or [],
        )
    return scheme


def scoring_rule_save(*, actor, rule, changed: list[str] | None = None):
    """Create or change one rule of a year's scheme; only that year's scores change."""
    from zhengxie.workflow.errors import InvalidInput

    from .models import DutyRecord

    require_role(actor, Role.STAFF)
    if rule.kind not in DutyRecord.Kind.values:
        raise InvalidInput("未知的履职类型。")
    with transaction.atomic():
        created = rule.pk is None
        rule.save()
        _rescore_year(rule.scheme.year)
        audit_record(
            actor=actor,
            action="scoring_rule_create" if created else "scoring_rule_update",
            target=rule,
            year=rule.scheme.year,
            kind=rule.kind,
            detail=rule.detail,
            points=str(rule.points),
            cap=None if rule.cap is None else str(rule.cap),
            fields=changed or [],
        )
    return rule


def scoring_rule_delete(*, actor, rule) -> None:
    require_role(actor, Role.STAFF)
    with transaction.atomic():
        audit_record(
            actor=actor, action="scoring_rule_delete", target=rule.scheme, kind=rule.kind, detail=rule.detail
        )
        year = rule.scheme.year
        rule.delete()
        _rescore_year(year)


def _rescore_year(year: int) -> None:
    """A year's rules changed: recompute its scores (MemberYearScore) in the same transaction."""
    from .scoring import rebuild_year

    rebuild_year(year)


def duty_low_score_remind(*, actor, year: int) -> int:
    """Notify every member of `year` below the scheme's line of their score and what is missing;
    returns how many were notified."""
    from zhengxie.notifications.services import notify

    from .scoring import THREE_ONES, scheme_for, year_scores

    require_role(actor, Role.STAFF)
    scheme = scheme_for(year)
    low = [row for row in year_scores(year, scheme=scheme) if row.below_line]
    users = {
        m.pk: m.user
        for m in Member.objects.filter(pk__in=[r.member_id for r in low], user__isnull=False).select_related(
            "user"
        )
    }
    labels = dict(THREE_ONES)
    with transaction.atomic():
        count = 0
        for row in low:
            user = users.get(row.member_id)
            if user is None:
                continue
            missing = [labels[k] for k, met in row.three_ones.items() if not met]
            body = f"您{year}年度履职积分为{row.total}分，低于{scheme.low_line}分。"
            if missing:
                body += "尚未完成：" + "、".join(missing) + "。"
            notify(recipients=[user], title=f"{year}年度履职积分提醒", body=body, link=f"/duty/?year={year}")
            count += 1
        audit_record(actor=actor, action="duty_low_score_remind", year=year, count=count)
    return count


def member_save(*, actor, member, created: bool, fields=()):
    """Staff add or correct one member in the admin (imports have members_import); audited."""
    return reference_save(
        actor=actor,
        obj=member,
        created=created,
        fields=fields,
        action="member_admin_create" if created else "member_admin_update",
    )


# --- 届 and 会次 ------------------------------------------------------------------------------------


def _require_staff_or_operator(actor) -> None:
    """`actor=None` is the operator at the command line (manage.py); on pages only staff may."""
    if actor is not None:
        require_role(actor, Role.STAFF)


def term_open(*, actor, number: int, start_date, end_date=None) -> tuple[Term, bool]:
    """Create or update term NUMBER and make it the current one (the previous stops being current).

    Idempotent: opening the same term with the same dates changes nothing. Returns (term, created)."""
    from zhengxie.workflow.errors import InvalidInput

    _require_staff_or_operator(actor)
    if not isinstance(number, int) or number < 1:
        raise InvalidInput("届次须为正整数。")
    if start_date is None:
        raise InvalidInput("请填写本届开始日期。")
    if end_date is not None and end_date <= start_date:
        raise InvalidInput("本届结束日期须晚于开始日期。")
    with transaction.atomic():
        current = list(Term.objects.select_for_update().filter(is_current=True))
        term = Term.objects.select_for_update().filter(number=number).first()
        created = term is None
        before = None if created else (term.start_date, term.end_date, term.is_current)
        previous = [t for t in current if t.number != number]
        if previous:
            Term.objects.filter(pk__in=[t.pk for t in previous]).update(is_current=False)
        if created:
            term = Term.objects.create(
                number=number, start_date=start_date, end_date=end_date, is_current=True
            )
        else:
            term.start_date, term.end_date, term.is_current = start_date, end_date, True
            term.save(update_fields=["start_date", "end_date", "is_current"])
        if created or before != (term.start_date, term.end_date, term.is_current):
            audit_record(
                actor=actor,
                action="term_open",
                target=term,
                number=number,
                start_date=start_date.isoformat(),
                end_date=end_date.isoformat() if end_date else None,
                previous=[t.number for t in previous],
            )
    return term, created


def plenary_save(*, actor, term: Term, number: int, start_date, end_date) -> tuple[object, bool]:
    """Create or update 会次 NUMBER of a term with its opening and closing dates. Returns (plenary, created)."""
    from zhengxie.workflow.errors import InvalidInput

    from .models import Plenary

    _require_staff_or_operator(actor)
    if not isinstance(number, int) or number < 1:
        raise InvalidInput("会次须为正整数。")
    if start_date is None or end_date is None:
        raise InvalidInput("请填写开幕和闭幕日期。")
    if end_date < start_date:
        raise InvalidInput("闭幕日期不能早于开幕日期。")
    with transaction.atomic():
        plenary = Plenary.objects.select_for_update().filter(term=term, number=number).first()
        created = plenary is None
        if created:
            plenary = Plenary.objects.create(
                term=term, number=number, start_date=start_date, end_date=end_date
            )
        elif (plenary.start_date, plenary.end_date) != (start_date, end_date):
            plenary.start_date, plenary.end_date = start_date, end_date
            plenary.save(update_fields=["start_date", "end_date"])
        else:
            return plenary, False
        audit_record(
            actor=actor,
            action="plenary_create" if created else "plenary_update",
            target=plenary,
            term=term.number,
            number=number,
            start_date=start_date.isoformat(),
            end_date=end_date.isoformat(),
        )
    return plenary, created
