"""公开提案's cards and 我的提案's rows (proposals/templatetags/member_rows.py): what each shows, every stored
text escaped."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import search
from proposals.models import Assignment, Cosigner, Proposal, ProposalCategory, Reply

State = Proposal.State
HOSTILE = '<script>alert("x")</script>&\'"'


def _proposal(*, title, member, term, plenary=None, state=State.IN_PROGRESS, content="正文", **extra):
    return Proposal.objects.create(
        title=title,
        content=content,
        **search.index_fields(title, content),
        category=extra.pop("category", None) or ProposalCategory.objects.get(name="社会"),
        proposer=member,
        created_by=member.user,
        term=term,
        plenary=plenary,
        state=state,
        submitted_at=timezone.now() - timedelta(hours=1),
        **extra,
    )


def _reply(proposal, department, staff_user, *, content, result="B", role="lead"):
    task = Assignment.objects.create(
        proposal=proposal,
        department=department,
        role=role,
        state="replied",
        assigned_at=timezone.now(),
        assigned_by=staff_user,
        due_basis=timezone.localdate(),
        due_date=timezone.localdate() + timedelta(days=30),
    )
    return Reply.objects.create(assignment=task, result=result, content=content, replied_by=staff_user)


def _card(body, proposal) -> str:
    return body.split(f'href="/proposals/{proposal.pk}/"', 1)[1].split("</article>", 1)[0]


@pytest.mark.django_db
def test_published_cards_show_each_part_and_escape_every_text(
    client, staff_user, member, other_member, make_member, term, plenary, department
):
    department.name = f"市{HOSTILE}局"
    department.save(update_fields=["name"])
    member.name = f"委员{HOSTILE}"
    member.save(update_fields=["name"])
    other_member.name = f"联名{HOSTILE}"
    other_member.save(update_fields=["name"])
    shown = _proposal(
        title=f"关于养老服务的建议{HOSTILE}",
        content=f"第一段{HOSTILE}\n第二行\n\n养老第二段",
        member=member,
        term=term,
        plenary=plenary,
        number=f"第{HOSTILE}号",
        category=ProposalCategory.objects.create(name=f"类{HOSTILE}"),
        is_published=True,
        reply_published=True,
        registered_at=timezone.now(),
    )
    Cosigner.objects.create(proposal=shown, member=other_member, status=Cosigner.Status.CONFIRMED, order=1)
    Cosigner.objects.create(
        proposal=shown, member=make_member("未确认的人"), status=Cosigner.Status.PENDING, order=2
    )
    _reply(shown, department, staff_user, content=f"答复一{HOSTILE}\n第二行", result="A")
    kept = _proposal(
        title="答复未公开的提案",
        member=member,
        term=term,
        kind=Proposal.Kind.COLLECTIVE,
        organization=f"民盟{HOSTILE}",
        is_published=True,
        registered_at=timezone.now() - timedelta(days=1),
    )
    _reply(kept, department, staff_user, content="不公开的答复")
    _proposal(title="没有公开的提案", member=member, term=term)

    client.force_login(member.user)
    body = client.get("/proposals/published/").content.decode()
    assert "<script>" not in body and "没有公开的提案" not in body
    card = _card(body, shown)
    assert body.split(f'href="/proposals/{shown.pk}/"', 1)[0].endswith(
        f'<div class="small text-body-secondary mb-1">{html.escape(f"第{HOSTILE}号")} · '
        f"{html.escape(f'类{HOSTILE}')} · 委员个人</div>\n"
        '<h2 class="h6 card-title text-break"><a '
    )
    assert f'class="text-decoration-none">{html.escape(f"关于养老服务的建议{HOSTILE}")}</a></h2>' in card
    assert "search-snippet" not in card
    # The proposer, then only the co-signers who confirmed.
    assert f"提案人：{html.escape(f'委员{HOSTILE}')}、{html.escape(f'联名{HOSTILE}')}</div>" in card
    assert "未确认的人" not in card
    # The text in paragraphs (linebreaks), each reply's lines with <br> (linebreaksbr).
    assert f"<p>第一段{html.escape(HOSTILE)}<br>第二行</p>\n\n<p>养老第二段</p>" in card
    assert f"<summary>{html.escape(f'市{HOSTILE}局')}答复（A 所提问题已经解决或基本解决）</summary>" in card
    assert f'<div class="text-break mt-2">答复一{html.escape(HOSTILE)}<br>第二行</div>' in card
    # Replies not yet published are not shown; a collective proposal names its organization.
    other = _card(body, kept)
    assert "<summary>正文</summary>" in other and "答复（" not in other and "不公开的答复" not in body
    assert f"提案人：{html.escape(f'民盟{HOSTILE}')}</div>" in other
    assert " · 集体</div>" in body.split(f'href="/proposals/{kept.pk}/"', 1)[0].rsplit("<article", 1)[1]

    # A search marks its words in the title and shows where the text matched.
    body = client.get("/proposals/published/", {"q": "养老"}).content.decode()
    card = _card(body, shown)
    assert "<script>" not in body
    assert '关于<mark class="search-hit">养老</mark>服务的建议' in card
    assert '</a></h2><div class="small text-body-secondary search-snippet">' in card
    assert '<mark class="search-hit">养老</mark>第二段</div>' in card


def _row(body, proposal) -> str:
    return body.split(f'href="/proposals/{proposal.pk}/"', 1)[1].split("</a>", 1)[0]


@pytest.mark.django_db
def test_my_proposal_rows_show_each_part_and_escape_every_text(client, member, other_member, term, plenary):
    other_member.name = f"第一{HOSTILE}"
    other_member.save(update_fields=["name"])
    own = _proposal(
        title=f"关于养老服务的建议{HOSTILE}",
        content="建议发展社区养老。",
        member=member,
        term=term,
        plenary=plenary,
        state=State.REPLIED,
        number="第0007号",
        category=ProposalCategory.objects.create(name=f"类{HOSTILE}"),
    )
    draft = _proposal(title="闭会期间的草稿", member=member, term=term, state=State.DRAFT)
    joint = _proposal(
        title="联名的提案", member=other_member, term=term, plenary=plenary, state=State.SUBMITTED
    )
    Cosigner.objects.create(proposal=joint, member=member, status=Cosigner.Status.CONFIRMED, order=1)

    client.force_login(member.user)
    body = client.get("/proposals/").content.decode()
    assert "<script>" not in body
    row = _row(body, own)
    assert f'<span class="fw-semibold text-break">{html.escape(f"关于养老服务的建议{HOSTILE}")}</span>' in row
    # Replied and not rated: 待测评, then the state badge with the number.
    assert (
        '<span class="d-flex gap-1"><span class="badge text-bg-danger" data-testid="awaiting-rating">待测评</span>'
        '<span class="badge text-bg-success" data-testid="state-badge">已答复 · 第0007号</span></span>'
    ) in row
    updated = timezone.localtime(own.updated_at).strftime("%Y-%m-%d")
    assert (
        f'<div class="small text-body-secondary">\n      委员个人 · {html.escape(f"类{HOSTILE}")} · 第二次会议\n'
        f"      \n      \n      · 更新于 {updated}\n    </div>"
    ) in row
    assert "search-snippet" not in row

    row = _row(body, draft)
    assert "awaiting-rating" not in row and 'data-testid="state-badge">草稿</span>' in row
    assert " · 社会 · 闭会期间\n" in row

    # Co-signed: the first proposer named; the co-signers counted.
    row = _row(body, joint)
    assert f"\n       · 联名（第一提案人：{html.escape(f'第一{HOSTILE}')}）\n       · 联名人 1 位\n" in row
    assert "awaiting-rating" not in row

    # A search marks its words and shows where the text matched; a state filter keeps only its rows.
    body = client.get("/proposals/", {"q": "养老"}).content.decode()
    row = _row(body, own)
    assert "<script>" not in body and '关于<mark class="search-hit">养老</mark>服务' in row
    assert (
        '<div class="small text-body-secondary search-snippet">建议发展社区<mark class="search-hit">' in row
    )
    body = client.get("/proposals/", {"state": "draft"}).content.decode()
    assert f'href="/proposals/{draft.pk}/"' in body and f'href="/proposals/{own.pk}/"' not in body
