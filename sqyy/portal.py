"""社情民意 transfers on the department portal's home, beside the proposal assignments."""

from django.urls import reverse

from zhengxie.workflow.portal import SOON_DAYS, PortalRow

from . import selectors


class TransferPortalSource:
    kind_label = "社情民意"

    def counts(self, department_id: int, *, today) -> dict[str, int]:
        return selectors.transfer_portal_counts(department_id, today=today, soon_days=SOON_DAYS)

    def rows(self, department_id: int, *, status: str, today, limit: int) -> list[PortalRow]:
        tasks = selectors.transfer_portal_rows(
            department_id, status=status, today=today, soon_days=SOON_DAYS, limit=limit
        )
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
