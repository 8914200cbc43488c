"""社情民意 transfers on the department portal's home, beside the proposal assignments."""

import dataclasses

from django.urls import reverse

from zhengxie import textsearch
from zhengxie.workflow.portal import SOON_DAYS, Found, PortalRow, search_total

from . import selectors


class TransferPortalSource:
    kind_label = "社情民意"

    def counts(self, department_id: int, *, today) -> dict[str, int]:
        return selectors.transfer_portal_counts(department_id, today=today, soon_days=SOON_DAYS)

    def rows(self, department_id: int, *, status: str, today, limit: int) -> list[PortalRow]:
        tasks = selectors.transfer_portal_rows(
            department_id, status=status, today=today, soon_days=SOON_DAYS, limit=limit
        )
        return self._rows(tasks, today)

    def search(self, department_id: int, *, status: str, today, params, limit: int) -> Found:
        """The department's transfers under `status` whose report text (as the department sees it: the
        office's edit, else the original) or its own reply matches `q`; unranked, by due date."""
        q = params.get("q") or ""
        qs = selectors.transfer_portal_search(
            department_id, status=status, today=today, soon_days=SOON_DAYS, q=q
        )
        tasks = list(qs[:limit])
        total, capped = search_total(qs, len(tasks), limit)
        rows = [
            dataclasses.replace(row, snippet=textsearch.snippet(task.report.final_content, q))
            for row, task in zip(self._rows(tasks, today), tasks, strict=True)
        ]
        return Found(rows=rows, total=total, capped=capped)

    def _rows(self, tasks, today) -> list[PortalRow]:
        url = reverse("sqyy:transfer", args=[987654321])  # once per page, not per row
        return [
            PortalRow(
                kind_label=self.kind_label,
                title=task.report.final_title,
                number=f"转办{task.pk}",
                role_label="转办",
                state_label=task.get_state_display(),
                due_date=task.due_date,
                due_provisional=task.due_provisional,
                is_open=task.is_open,
                days_left=task.days_left(today),
                url=url.replace("987654321", str(task.pk)),
            )
            for task in tasks
        ]
