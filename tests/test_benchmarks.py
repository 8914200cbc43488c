"""The province benchmark's generator and page discovery (issue 15), at a tiny scale."""

import pytest
from django.db import connection

from benchmarks import _common, pages, province


def test_only_benchmark_databases_are_ever_dropped():
    assert _common.province_db_name(0.25) == "zhengxie_province_s025"
    assert _common.province_db_name(0.1) == "zhengxie_province_s01"
    assert _common.province_db_name(1) == "zhengxie_province_s1"
    _common.check_droppable("zhengxie_province_s025")
    _common.check_droppable("zh_bench")
    for name in ("zhengxie", "zh_bench_prod", "zhengxie_province_s025x", "province"):
        with pytest.raises(SystemExit):
            _common.check_droppable(name)


def test_copy_encoding():
    assert _common.enc(None) == "\\N"
    assert _common.enc(True) == "t"
    assert _common.enc("一\t二\n三\\") == "一\\t二\\n三\\\\"


@pytest.mark.django_db
def test_generator_fills_a_realistic_province_at_tiny_scale():
    from members.models import Member
    from proposals.models import Assignment, Proposal, ProposalStatCount
    from zhengxie.accounts.models import User
    from zhengxie.notifications.models import Notification

    sizes = province.sizes_for(0.0002)
    assert sizes["proposals"] == 200 and sizes["assignments"] == 600
    counts = province.generate(sizes, seed=3)
    assert counts["proposals"] == Proposal.objects.count() == 200
    assert Member.objects.count() == sizes["members"]
    assert Notification.objects.count() == sizes["notifications"]
    # 1–n assignments per handled proposal, about the target in total, with a lead on each.
    assert 300 <= Assignment.objects.count() <= 1200
    handled = Proposal.objects.filter(
        state__in=["assigned", "in_progress", "replied", "rehandling", "closed"]
    )
    assert handled.exclude(assignments__role__in=["lead", "separate"]).count() == 0
    # States across the workflow and years 2018…now, most past ones closed.
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {"closed", "not_registered"} <= states and len(states) >= 5
    years = {p.submitted_at.year for p in Proposal.objects.exclude(submitted_at=None)}
    assert len(years) >= 6
    # What the app's own code would give them: unique numbers, jieba words, the tsvector, the rollups.
    numbers = list(Proposal.objects.exclude(number="").values_list("number", flat=True))
    assert numbers and len(numbers) == len(set(numbers))
    p = Proposal.objects.exclude(content="").first()
    assert 800 <= len(p.content) <= 3300 and 10 <= len(p.title) <= 30
    from proposals.search import index_text

    assert p.search_title == index_text(p.title)
    assert p.search_content == index_text(p.content)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM proposals_proposal WHERE search_vector IS NULL OR search_vector = ''"
        )
        assert cur.fetchone()[0] == 0
    assert ProposalStatCount.objects.exists()
    # Known accounts for pages.py, one per role.
    for role, username in _common.KNOWN_USERS.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(_common.PASSWORD)
    assert (
        Proposal.objects.filter(proposer__user__username="bench_member").exists() or sizes["proposals"] < 500
    )
    dept = User.objects.get(username="bench_dept").department_id
    assert Assignment.objects.filter(department_id=dept).exists()


def test_page_discovery_finds_the_lists():
    urls = set(pages.discover_urls())
    for expected in (
        "/workbench/proposals/",
        "/workbench/proposals/all/",
        "/proposals/",
        "/public/proposals/",
        "/notifications/",
        "/workbench/duty/",
        "/workbench/handling/board/",
        "/workbench/stats/",
        "/portal/",
        "/api/v1/proposals/",
        "/api/v1/assignments/",
        "/api/v1/notifications/",
        "/api/v1/opinion-reports/",
    ):
        assert expected in urls, expected
    # Forms, exports and sign-out are not measured.
    assert not any(u.endswith((".xlsx", ".docx", "/new/", "/logout/")) for u in urls)


def test_piece_indexer_gives_the_apps_words():
    """The fast backfills' segmentation equals zhengxie.textsearch.index_texts on generated texts."""
    from benchmarks import _text as T
    from zhengxie.textsearch import index_texts

    index = province.PieceIndexer()
    reply = T.REPLY_OPENERS[1].format(topic="养老服务体系") + "".join(T.REPLY_BODY) * 2
    report = "".join(f"{a}{b}，有关部门应加以解决。" for a in T.SUBJECTS[:4] for b in T.PREDICATES[:3])
    for texts in ((reply,), (reply, ""), ("群众反映养老服务体系亟待改进", report), ("", "")):
        assert index(*texts) == index_texts(*texts)


@pytest.mark.django_db(transaction=True)
def test_busy_mode_commits_so_no_remembered_figure_is_read_again():
    """pages.py --busy: the commit before each request gives every later statement another snapshot, which is
    what the remembered figures are keyed by (zhengxie.figures_cache)."""
    from zhengxie.figures_cache import database_state, remembered

    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    commit = pages.Committer(url)
    calls = []

    def figure():
        calls.append(1)
        return len(calls)

    before = database_state()
    assert remembered("busy-test", compute=figure) == remembered("busy-test", compute=figure) == 1
    commit()
    assert database_state() != before
    assert remembered("busy-test", compute=figure) == 2
