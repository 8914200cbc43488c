"""Shared fixtures: one user of each role, the roster, and API clients signed in as them."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from members.models import Member, Party, Plenary, Sector, Term
from zhengxie.accounts.models import Department, Role, User

PASSWORD = "Zx-test-pass-2026"


def _reseed_reference_data():
    """Transactional tests flush the tables, data migrations' rows included: put them back."""
    from importlib import import_module

    from django.apps import apps

    for module in (
        "members.migrations.0002_seed_parties",
        "proposals.migrations.0002_seed_lists",
        "sqyy.migrations.0004_opinion_categories",
    ):
        import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])
    )
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        _reseed_reference_data()


def make_user(username: str, role: str, **extra) -> User:
    user = User(username=username, role=role, name=extra.pop("name", username), **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def department(db):
    return Department.objects.create(name="市教育局", code="JYJ", contact="王科长", phone="13800000001")


@pytest.fixture
def other_department(db):
    return Department.objects.create(name="市卫健委", code="WJW", contact="李科长", phone="13800000002")


@pytest.fixture
def staff_user(db):
    return make_user("staff1", Role.STAFF, name="张干事")


@pytest.fixture
def leader_user(db):
    return make_user("leader1", Role.LEADER, name="刘主席")


@pytest.fixture
def department_user(department):
    return make_user("dept1", Role.DEPARTMENT, name="王科长", department=department)


@pytest.fixture
def sector(db):
    return Sector.objects.create(name="教育界", order=10)


@pytest.fixture
def member(db, sector):
    user = make_user("member1", Role.MEMBER, name="李委员")
    return Member.objects.create(
        user=user,
        name="李委员",
        gender=Member.Gender.FEMALE,
        party=Party.objects.get(name="中国民主同盟"),
        sector=sector,
        mobile="13900000001",
        email="li@example.com",
    )


@pytest.fixture
def other_member(db, sector):
    user = make_user("member2", Role.MEMBER, name="赵委员")
    return Member.objects.create(
        user=user,
        name="赵委员",
        gender=Member.Gender.MALE,
        party=Party.objects.get(name="九三学社"),
        sector=sector,
        mobile="13900000002",
        email="zhao@example.com",
    )


@pytest.fixture
def member_user(member):
    return member.user


@pytest.fixture
def api():
    """An API client; `api(user)` returns one authenticated as that user."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def term(db):
    return Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)


@pytest.fixture
def plenary(term):
    return Plenary.objects.create(
        term=term, number=2, start_date=date(2026, 1, 12), end_date=date(2026, 1, 15)
    )


@pytest.fixture
def make_member(sector):
    """`make_member("name")` creates a serving member with a login named after it."""
    counter = {"n": 0}

    def make(name: str, **extra) -> Member:
        counter["n"] += 1
        user = make_user(f"m{counter['n']}_{abs(hash(name)) % 10000}", Role.MEMBER, name=name)
        return Member.objects.create(user=user, name=name, sector=sector, **extra)

    return make


@pytest.fixture
def assign(member, staff_user, plenary):
    """assign(title, content, department, reply="", due_in=30): a proposal of `member` submitted, registered
    and routed to `department` as lead through the services (replied by its clerk when `reply` is given);
    its assignment, due in `due_in` days."""
    from datetime import timedelta

    from django.utils import timezone

    from proposals import services
    from proposals.models import Assignment, ProposalCategory

    def make(title, content, department, *, reply="", due_in=30):
        p = services.proposal_create(
            actor=member.user,
            title=title,
            content=content,
            category=ProposalCategory.objects.get(name="社会"),
            during_plenary=True,
            plenary=plenary,
        )
        services.proposal_submit(actor=member.user, proposal=p)
        p = services.proposal_register(actor=staff_user, proposal=p)
        services.proposal_assign(
            actor=staff_user, proposal=p, assignments=[{"department": department, "role": "lead"}]
        )
        task = Assignment.objects.get(proposal=p)
        if reply:
            clerk = User.objects.filter(department=department).order_by("pk").first()
            services.assignment_accept(actor=clerk, assignment=task)
            services.assignment_add_contact(
                actor=clerk, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
            )
            services.assignment_reply(actor=clerk, assignment=task, result="B", content=reply)
        Assignment.objects.filter(pk=task.pk).update(due_date=timezone.localdate() + timedelta(days=due_in))
        return Assignment.objects.get(pk=task.pk)

    return make
