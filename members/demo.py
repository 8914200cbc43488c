"""Demo roster: a term, its plenaries, sectors, committees, departments and one account per role.

Idempotent: every row is keyed (term number, names, department codes, usernames), so running it again
changes nothing and never resets a password someone changed.
"""

from datetime import date

from django.db import transaction

from zhengxie.accounts.models import Department, Role, User

from .models import Member, Party, Plenary, Sector, SpecialCommittee, Term

DEMO_PASSWORD = "Demo@2026zx"

SECTORS = [
    "中国共产党",
    "中国国民党革命委员会",
    "中国民主同盟",
    "中国民主建国会",
    "中国民主促进会",
    "中国农工民主党",
    "中国致公党",
    "九三学社",
    "无党派人士",
    "共青团",
    "工会",
    "妇联",
    "工商联",
    "科技界",
    "教育界",
    "文化艺术界",
    "医药卫生界",
    "经济界",
    "农业界",
    "社会福利和社会保障界",
    "少数民族界",
    "宗教界",
    "特邀人士",
]

COMMITTEES = [
    "提案委员会",
    "经济委员会",
    "农业农村委员会",
    "人口资源环境委员会",
    "教科卫体委员会",
    "社会和法制委员会",
    "文化文史和学习委员会",
    "民族宗教委员会",
]

DEPARTMENTS = [
    ("FGW", "市发展和改革委员会", "陈立新", "13700000101"),
    ("JYJ", "市教育局", "王海燕", "13700000102"),
    ("WJW", "市卫生健康委员会", "刘建国", "13700000103"),
    ("ZJJ", "市住房和城乡建设局", "赵明", "13700000104"),
    ("JTJ", "市交通运输局", "孙伟", "13700000105"),
    ("STJ", "市生态环境局", "周丽", "13700000106"),
    ("NYJ", "市农业农村局", "吴强", "13700000107"),
    ("RSJ", "市人力资源和社会保障局", "郑红", "13700000108"),
    ("FY", "市中级人民法院", "冯涛", "13700000109"),
    ("SCJ", "市市场监督管理局", "何静", "13700000110"),
]

# name, gender, ethnicity, birth, party, sector, committee, position, employer
MEMBERS = [
    (
        "李文华",
        "female",
        "汉族",
        date(1972, 3, 15),
        "中国民主同盟",
        "教育界",
        "教科卫体委员会",
        "standing",
        "市第一中学校长",
    ),
    (
        "王建平",
        "male",
        "汉族",
        date(1968, 7, 2),
        "中国共产党",
        "经济界",
        "经济委员会",
        "member",
        "市城投集团总经理",
    ),
    (
        "张晓梅",
        "female",
        "回族",
        date(1980, 11, 20),
        "无党派人士",
        "医药卫生界",
        "教科卫体委员会",
        "member",
        "市人民医院副院长",
    ),
    (
        "赵国强",
        "male",
        "汉族",
        date(1975, 1, 8),
        "九三学社",
        "科技界",
        "人口资源环境委员会",
        "member",
        "市农科院研究员",
    ),
    (
        "陈思远",
        "male",
        "汉族",
        date(1983, 5, 30),
        "中国民主建国会",
        "工商联",
        "经济委员会",
        "member",
        "远航科技有限公司董事长",
    ),
    (
        "刘淑芬",
        "female",
        "满族",
        date(1966, 9, 12),
        "中国农工民主党",
        "医药卫生界",
        "社会和法制委员会",
        "standing",
        "市中医院主任医师",
    ),
    (
        "杨帆",
        "male",
        "汉族",
        date(1979, 2, 17),
        "中国民主促进会",
        "文化艺术界",
        "文化文史和学习委员会",
        "member",
        "市文联副主席",
    ),
    (
        "周敏",
        "female",
        "汉族",
        date(1985, 8, 8),
        "中国致公党",
        "妇联",
        "社会和法制委员会",
        "member",
        "市律师协会副会长",
    ),
    (
        "吴德胜",
        "male",
        "汉族",
        date(1962, 4, 4),
        "中国共产党",
        "农业界",
        "农业农村委员会",
        "vice_chairman",
        "市政协",
    ),
    (
        "郑海峰",
        "male",
        "汉族",
        date(1970, 12, 25),
        "中国国民党革命委员会",
        "特邀人士",
        "提案委员会",
        "standing",
        "市政协提案委员会",
    ),
]

# username, role, display name, extra
STAFF_ACCOUNTS = [
    ("staff", Role.STAFF, "提案委 张干事"),
    ("leader", Role.LEADER, "刘副主席"),
]


def _user(username: str, role: str, name: str, department: Department | None = None) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, role=role, name=name, department=department)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, True


@transaction.atomic
def seed_roster() -> list[tuple[str, str, str]]:
    """Create the demo roster; returns (role label, username, name) of every demo account."""
    term, _ = Term.objects.get_or_create(
        number=15,
        defaults={"start_date": date(2022, 1, 10), "end_date": date(2027, 1, 10), "is_current": True},
    )
    plenaries = [
        (1, date(2022, 1, 10), date(2022, 1, 14)),
        (2, date(2023, 1, 9), date(2023, 1, 12)),
        (3, date(2024, 1, 8), date(2024, 1, 11)),
        (4, date(2025, 1, 6), date(2025, 1, 9)),
        (5, date(2026, 1, 12), date(2026, 1, 15)),
    ]
    for number, start, end in plenaries:
        Plenary.objects.get_or_create(
            term=term, number=number, defaults={"start_date": start, "end_date": end}
        )
    sectors = {}
    for order, name in enumerate(SECTORS, start=1):
        sectors[name], _ = Sector.objects.get_or_create(name=name, defaults={"order": order * 10})
    committees = {}
    for order, name in enumerate(COMMITTEES, start=1):
        committees[name], _ = SpecialCommittee.objects.get_or_create(
            name=name, defaults={"order": order * 10}
        )
    parties = {p.name: p for p in Party.objects.all()}

    accounts: list[tuple[str, str, str]] = []
    for username, role, name in STAFF_ACCOUNTS:
        _user(username, role, name)
        accounts.append((Role(role).label, username, name))

    for code, name, contact, phone in DEPARTMENTS:
        dept, _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "contact": contact, "phone": phone}
        )
        username = f"dept_{code.lower()}"
        _user(username, Role.DEPARTMENT, contact, department=dept)
        accounts.append((f"{Role.DEPARTMENT.label}（{name}）", username, contact))

    for index, row in enumerate(MEMBERS, start=1):
        name, gender, ethnicity, birth, party, sector, committee, position, employer = row
        username = f"member{index}"
        user, _ = _user(username, Role.MEMBER, name)
        member, created = Member.objects.get_or_create(
            user=user,
            defaults={
                "name": name,
                "gender": gender,
                "ethnicity": ethnicity,
                "birth_date": birth,
                "party": parties.get(party),
                "sector": sectors[sector],
                "position": position,
                "employer": employer,
                "mobile": f"1390000{index:04d}",
                "email": f"{username}@example.cn",
                "term": term,
            },
        )
        if created:
            member.committees.add(committees[committee])
        accounts.append((Role.MEMBER.label, username, name))
    return accounts
