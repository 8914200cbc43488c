"""`{% options %}` writes what the template loops wrote: escaped names, the selected unit, one left out."""

from types import SimpleNamespace

from django.template import Context, Template


def _render(source, **context):
    return Template("{% load option_tags %}" + source).render(Context(context))


def test_options_escape_select_and_skip():
    rows = [
        SimpleNamespace(pk=1, name="甲局"),
        SimpleNamespace(pk=2, name='<b>"乙"&局</b>'),
        SimpleNamespace(pk=3, name="丙"),
    ]
    assert _render("{% options rows %}", rows=rows) == (
        '<option value="1">甲局</option>'
        '<option value="2">&lt;b&gt;&quot;乙&quot;&amp;局&lt;/b&gt;</option>'
        '<option value="3">丙</option>'
    )
    # Selected by pk or by the text a query string gives; nothing selected for None or "".
    for selected in (2, "2"):
        assert _render("{% options rows selected=s %}", rows=rows, s=selected).count(" selected") == 1
        assert '<option value="2" selected>' in _render(
            "{% options rows selected=s %}", rows=rows, s=selected
        )
    for selected in (None, "", 9):
        assert " selected" not in _render("{% options rows selected=s %}", rows=rows, s=selected)
    assert _render("{% options rows skip=k %}", rows=rows, k=1).startswith('<option value="2">')
    assert _render("{% options rows %}", rows=[]) == ""


def test_the_board_summary_rows_escape_every_value():
    from proposals.templatetags.handling_tags import board_summary_rows

    html = board_summary_rows(
        [
            {
                "link": '?department=1&x="',
                "department__name": "<i>局</i>",
                "overdue": 3,
                "adjustments": 0,
                "extensions": 1,
            },
            {
                "link": "?department=2",
                "department__name": "乙",
                "overdue": 0,
                "adjustments": 2,
                "extensions": 0,
            },
        ]
    )
    assert html.count('<tr data-testid="summary-row">') == 2
    assert 'href="?department=1&amp;x=&quot;"' in html and "&lt;i&gt;局&lt;/i&gt;" in html
    assert '<span class="badge text-bg-danger">3</span>' in html and "<td>0</td>" in html
