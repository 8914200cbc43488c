"""This app's lines of the year's figures (read by proposals.year_figures when the app is installed)."""

from .selectors import case_counts


def cases_section(year: int, Section):
    """民情 (实事): cases opened in the year and those of them resolved or turned into 社情民意."""
    counts = case_counts(year)
    figures = {"opened": counts["opened"], "resolved": counts["resolved"], "converted": counts["converted"]}
    links = {key: "/cases/" for key in figures}
    text = (
        f"委员通过委员工作站、工作室和日常走访收集群众反映的问题{figures['opened']}件，"
        f"推动解决{figures['resolved']}件，转化为社情民意信息{figures['converted']}条。"
    )
    return Section("cases", "委员联系群众", figures, links, text)


def activity_counts(year: int) -> dict:
    """This app's activities of the year by kind (cancelled ones left out), added by
    proposals.year_figures to the consultation topics' own 调研/视察."""
    from .selectors import activity_kind_counts

    counts = activity_kind_counts(year)  # the counts only, not the person-times and coverage
    return {
        kind: counts.get(kind, 0)
        for kind in ("inspection", "research", "supervision", "training", "reception", "hearing")
    }
