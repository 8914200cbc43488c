"""The cards of 公开提案 and the rows of a member's 我的提案, written in one pass.

The markup is what the template loops they replace wrote (the same words, the same whitespace inside the
text): in Django's template engine a card cost ~0.3 ms (the text through `linebreaks`, each reply, each
co-signer, a dozen lookups and their escapes), 20 a page and most of the page's rendering. Every value is
escaped here as `{{ }}` escaped it (conditional_escape: safe strings, like a highlighted title, pass as they
are); `linebreaks`/`linebreaksbr` are Django's own filters, called with autoescape on as the page did.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter, linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from zhengxie.cells import url_by_pk
from zhengxie.textsearch import highlight

from .proposal_rows import _e, state_badge

register = template.Library()


def _snippet(p) -> str:
    snippet = getattr(p, "search_snippet", "")
    return f'<div class="small text-body-secondary search-snippet">{_e(snippet)}</div>' if snippet else ""


def _replies(p) -> str:
    """Each task's replies, folded; only once the replies are published."""
    if not p.reply_published:
        return ""
    return "".join(
        '<details class="small mt-1">'
        f"<summary>{_e(a.department.name)}答复（{_e(r.get_result_display())}）</summary>"
        f'<div class="text-break mt-2">{linebreaksbr(r.content, autoescape=True)}</div>'
        "</details>\n"
        for a in p.assignments.all()
        for r in a.replies.all()
    )


@register.simple_tag
def published_cards(rows, q="") -> SafeString:
    """公开提案's cards: number, category, kind; the title (its search hit); the proposer and the co-signers
    who confirmed; the text folded; the published replies."""
    detail = url_by_pk("proposals:detail")
    out = []
    for p in rows:
        cosigners = "".join(f"、{_e(c.member.name)}" for c in p.cosigners.all() if c.status == "confirmed")
        out.append(
            '<article class="card shadow-sm">\n<div class="card-body">\n'
            f'<div class="small text-body-secondary mb-1">'
            f"{_e(p.number)} · {_e(p.category.name)} · {_e(p.get_kind_display())}</div>\n"
            f'<h2 class="h6 card-title text-break"><a href="{detail(p.pk)}" class="text-decoration-none">'
            f"{highlight(p.title, q)}</a></h2>{_snippet(p)}\n"
            f'<div class="small mb-2">提案人：{_e(p.proposer_display)}{cosigners}</div>\n'
            '<details class="small">\n<summary>正文</summary>\n'
            f'<div class="text-break mt-2">{linebreaks_filter(p.content, autoescape=True)}</div>\n'
            "</details>\n"
            f"{_replies(p)}"
            "</div>\n</article>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def my_proposal_rows(rows, member, q="") -> SafeString:
    """我的提案's rows: the title (its search hit), 待测评 and the state; kind, category, session, the first
    proposer of a co-signed one, how many co-signers, when updated; the search snippet. The line of facts
    keeps the template's line breaks: they sat inside its text."""
    detail = url_by_pk("proposals:detail")
    out = []
    for p in rows:
        rating = (
            '<span class="badge text-bg-danger" data-testid="awaiting-rating">待测评</span>'
            if getattr(p, "awaiting_rating", False)
            else ""
        )
        session = f" · {_e(p.plenary.name)}" if p.plenary else " · 闭会期间"
        joint = f" · 联名（第一提案人：{_e(p.proposer_display)}）" if p.proposer_id != member.pk else ""
        n = len(p.cosigners.all())
        together = f" · 联名人 {n} 位" if n else ""
        updated = date_filter(template_localtime(p.updated_at), "Y-m-d")
        out.append(
            f'<a class="list-group-item list-group-item-action" href="{detail(p.pk)}">\n'
            '<div class="d-flex flex-wrap justify-content-between gap-1">\n'
            f'<span class="fw-semibold text-break">{highlight(p.title, q)}</span>\n'
            f'<span class="d-flex gap-1">{rating}{state_badge(p)}</span>\n'
            "</div>\n"
            '<div class="small text-body-secondary">\n'
            f"      {_e(p.get_kind_display())} · {_e(p.category.name)}{session}\n"
            f"      {joint}\n"
            f"      {together}\n"
            f"      · 更新于 {_e(updated)}\n"
            "    </div>\n"
            f"{_snippet(p)}\n"
            "</a>"
        )
    return mark_safe("\n".join(out))
