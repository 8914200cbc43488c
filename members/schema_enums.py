"""Schema enum names for the members app (dotted paths only: settings imports this before the apps load)."""

ENUM_NAME_OVERRIDES = {
    "DutyKindEnum": "members.models.DutyRecord.Kind",
    "DutyStatusEnum": "members.models.DutyRecord.Status",
}
