"""The 社情民意 lists' rows and the report badge (sqyy/templatetags/opinion_rows.py) write what the template
loops and the badge include they replaced wrote, for every kind of report: each state, urgent, instructed, from
a proposal, in a bulletin or not, a search hit, hostile text."""

import re
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from sqyy.models import OpinionReport

BADGE = (
    "<span class=\"badge {% if r.state == 'submitted' %}text-bg-primary{% elif r.state == 'returned' %}"
    "text-bg-warning{% elif r.state == 'adopted' or r.state == 'published' or r.state == 'forwarded' %}"
    "text-bg-success{% elif r.state == 'not_adopted' %}text-bg-secondary{% elif r.state == 'transferred' %}"
    "text-bg-info{% elif r.state == 'closed' %}text-bg-dark{% else %}text-bg-light border{% endif %}\" "
    'data-testid="state">{{ r.get_state_display }}</span>{% if r.is_urgent %} <span class="badge '
    'text-bg-danger">急事急报</span>{% endif %}'
)
INBOX_LOOP = (
    "{% load search_tags %}{% for r in rows %}"
    '<a class="list-group-item list-group-item-action" href="{% url \'sqyy:staff_detail\' r.pk %}">'
    '<div class="d-flex flex-wrap justify-content-between gap-1">'
    '<span class="fw-semibold text-break">{{ r.final_title|highlight:q }}</span>{% if r.search_snippet %}'
    '<div class="small text-body-secondary search-snippet">{{ r.search_snippet }}</div>{% endif %}'
    "<span>" + BADGE + '{% if r.instruction_count %} <span class="badge text-bg-danger">批示 '
    "{{ r.instruction_count }}</span>{% endif %}</span></div>"
    '<div class="small text-body-secondary">'
    '{{ r.get_reflector_kind_display }}：{{ r.reflector_display }} · {{ r.category|default:"未分类" }} · 报送于 '
    '{{ r.submitted_at|date:"Y-m-d H:i" }}{% if r.proposal_source %} · 由提案转来{% endif %}'
    "{% if r.bulletin_entry %} · {{ r.bulletin_entry.bulletin.issue_label }}{% endif %}</div></a>{% endfor %}"
)
MINE_LOOP = (
    "{% load search_tags %}{% for r in rows %}"
    '<a class="list-group-item list-group-item-action" href="{% url \'sqyy:my_detail\' r.pk %}">'
    '<div class="d-flex flex-wrap justify-content-between gap-1">'
    '<span class="fw-semibold text-break">{{ r.final_title|highlight:q }}</span>'
    "<span>" + BADGE + '{% if r.instruction_count %} <span class="badge text-bg-danger">获批示 '
    "{{ r.instruction_count }}</span>{% endif %}</span></div>"
    '{% if r.search_snippet %}<div class="small text-body-secondary search-snippet" data-testid="search-snippet">'
    "{{ r.search_snippet }}</div>{% endif %}"
    '<div class="small text-body-secondary">{{ r.category|default:"未分类" }}{% if r.bulletin_entry %} · 刊于'
    '{{ r.bulletin_entry.bulletin.issue_label }}{% endif %} · 更新于 {{ r.updated_at|date:"Y-m-d" }}</div>'
    "</a>{% endfor %}"
)
HOSTILE = '<script>alert("x")</script>&\'"'


class NoEntry(AttributeError):
    silent_variable_failure = True  # as Django's RelatedObjectDoesNotExist (an ObjectDoesNotExist)


class NotInBulletin:
    """A report with no bulletin entry: the reverse one-to-one raises, as Django's does."""

    @property
    def bulletin_entry(self):
        raise NoEntry("no entry")


def _report(i, state, *, bulletin=True, **extra):
    fields = dict(
        pk=i,
        state=state,
        get_state_display=lambda: OpinionReport.State(state).label,
        is_urgent=i % 2 == 0,
        instruction_count=i % 3,
        final_title=f"关于养老服务{i}{HOSTILE}",
        search_snippet=mark_safe('…<mark class="search-hit">养老</mark>…') if i % 2 else "",
        get_reflector_kind_display=lambda: "委员",
        reflector_display=f"李委员{HOSTILE}",
        category=f"类{HOSTILE}" if i % 4 else None,
        submitted_at=datetime(2026, 3, i + 1, 23, 30, tzinfo=ZoneInfo("UTC")),
        updated_at=datetime(2026, 4, i + 1, 20, 0, tzinfo=ZoneInfo("UTC")),
        proposal_source=object() if i % 5 == 0 else None,
        **extra,
    )
    if bulletin:
        fields["bulletin_entry"] = SimpleNamespace(bulletin=SimpleNamespace(issue_label=f"第{i}期{HOSTILE}"))
        return SimpleNamespace(**fields)
    row = NotInBulletin()
    row.__dict__.update(fields)
    return row


def _rows():
    return [_report(i, state, bulletin=i % 3 != 1) for i, state in enumerate(OpinionReport.State.values, 1)]


def _squeeze(html: str) -> str:
    """Whitespace between tags and around text is not content."""
    return re.sub(r"\s*\n\s*", "", html)


@pytest.mark.parametrize("loop, tag", [(INBOX_LOOP, "inbox_rows"), (MINE_LOOP, "my_report_rows")])
def test_rows_are_the_template_loop(loop, tag):
    context = {"rows": _rows(), "q": "养老"}
    expected = Template(loop).render(Context(context))
    got = Template(f"{{% load opinion_rows %}}{{% {tag} rows q %}}").render(Context(context))
    assert _squeeze(got) == _squeeze(expected)
    assert "<script>" not in got and '<mark class="search-hit">养老</mark>' in got and "急事急报" in got


@pytest.mark.parametrize("state", OpinionReport.State.values)
def test_the_badge_of_every_state(state):
    row = _report(2, state)
    expected = Template(BADGE).render(Context({"r": row}))
    assert Template("{% load opinion_rows %}{% report_badge r %}").render(Context({"r": row})) == expected
