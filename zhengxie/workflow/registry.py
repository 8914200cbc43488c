"""Concrete HandlingTask kinds register here from their app's ready(), so the reminder scan and the
calendar recompute can walk every kind without `workflow` importing the apps above it."""

_kinds: list = []


def register_handling_task(model) -> None:
    if model not in _kinds:
        _kinds.append(model)


def handling_task_kinds() -> list:
    return list(_kinds)
