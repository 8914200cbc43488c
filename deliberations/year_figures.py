"""The 网络议政 line of the year's work report (/stats/year/ finds this module through
proposals.year_figures._provided): deliberations opened in the year, their posts, the members who
posted and the suggestions formed."""

from .selectors import year_stats


def section(year: int, section_class):
    figures = year_stats(year)
    links = {key: f"/workbench/deliberations/?year={year}" for key in figures}
    text = (
        f"开展网络议政{figures['count']}次，{figures['participants']}名委员发言{figures['posts']}条，"
        f"形成建议{figures['suggestions']}条。"
    )
    return section_class("deliberations", "网络议政", figures, links, text)
