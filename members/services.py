"""Writes for the members app. Every function: keyword-only, acting user first, atomic, audited."""

from django.db import transaction

from zhengxie.accounts.imports import (
    Credential,
    ImportRejected,
    ImportReport,
    RowOutcome,
    Table,
    users_by_username,
)
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.accounts.services import user_create, user_profile_update
from zhengxie.workflow.services import audit_record

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


def members_import(*, actor, table: Table, dry_run: bool = False) -> ImportReport:
    """Import a member roster (API.md "Operations"): all rows or none, keyed by 用户名.

    New 用户名 get a member account (password from 初始密码 or random, listed in report.credentials);
    existing accounts keep their passwords. Unchanged rows are not written at all, so a re-import of
    the same file changes nothing. With dry_run all is done and rolled back (the admin's preview).
    `actor` None is the operator at the command line."""
    if actor is not None:
        require_role(actor, Role.STAFF)
    report = ImportReport(noun="委员", created_refs={"党派": [], "界别": [], "专委会": []})
    with transaction.atomic():
        rows, errors = check_member_rows(table)
        if errors:
            raise ImportRejected(errors)
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
        for row in rows:
            wanted = {f: getattr(row, f) for f in _ROW_FIELDS}
            wanted["party"] = parties.get(row.party)
            wanted["sector"] = sectors.get(row.sector)
            wanted_committees = [committees.get(name) for name in row.committees]
            user = users.get(row.username.lower())
            profile_changed = False
            if user is None:
                user, password = user_create(
                    actor=actor,
                    username=row.username,
                    role=Role.MEMBER,
                    name=row.name,
                    password=row.password or None,
                    email=row.email,
                    phone=row.mobile,
                )
                if not row.password:
                    report.credentials.append(Credential(user.username, row.name, password))
            else:
                profile_changed = user_profile_update(
                    actor=actor, user=user, name=row.name, email=row.email, phone=row.mobile
                )
            member = members.get(user.pk)
            if member is None:
                member = _member_create(actor=actor, user=user, term=current_term, wanted=wanted)
                member.committees.set(wanted_committees)
                action = "new"
            else:
                member_changed = _member_update(actor, member, wanted, wanted_committees)
                action = "update" if member_changed or profile_changed else "skip"
            report.outcomes.append(RowOutcome(row.number, action, member, row.values))
        if report.created or report.updated:
            audit_record(
                actor=actor,
                action="members_import",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _member_create(*, actor, user, term, wanted) -> Member:
    member = Member.objects.create(user=user, term=term, **wanted)
    audit_record(actor=actor, action="member_create", target=member, source="import")
    return member


def _member_update(actor, member: Member, wanted: dict, wanted_committees: list) -> bool:
    """Write only what differs; True when the member changed."""
    changed = [f for f, v in wanted.items() if getattr(member, f) != v]
    committees_changed = {c.pk for c in member.committees.all()} != {c.pk for c in wanted_committees}
    if not changed and not committees_changed:
        return False
    for f in changed:
        setattr(member, f, wanted[f])
    member.save(update_fields=[*changed, "updated_at"])
    if committees_changed:
        member.committees.set(wanted_committees)
        changed.append("committees")
    audit_record(actor=actor, action="member_update", target=member, fields=changed, source="import")
    return True


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
        "detail": detail,
        "share": Decimal(str(share)),
        "people": people,
        "note": note,
        "status": DutyRecord.Status.CONFIRMED,
        "created_by": actor if actor is not None and actor.is_authenticated else None,
    }
    if source is None:
        record = DutyRecord.objects.create(member=member, kind=kind, **values)
    else:
        record, _ = DutyRecord.objects.update_or_create(
            member=member,
            kind=kind,
            content_type=ContentType.objects.get_for_model(source),
            object_id=source.pk,
            defaults=values,
        )
    audit_record(actor=actor, action="duty_record", target=record, kind=kind)
    return record


def withdraw_duty(*, actor, kind: str, source, members=None) -> int:
    """Remove system records of `kind` for a source (e.g. a co-signer who withdrew); returns the count."""
    from django.contrib.contenttypes.models import ContentType

    from .models import DutyRecord

    qs = DutyRecord.objects.filter(
        kind=kind, content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    )
    if members is not None:
        qs = qs.filter(member__in=members)
    count, _ = qs.delete()
    if count:
        audit_record(actor=actor, action="duty_record_withdraw", target=source, kind=kind, count=count)
    return count
