"""Enum names for the OpenAPI schema (merged into SPECTACULAR_SETTINGS by settings)."""

ENUM_NAME_OVERRIDES = {
    "ActivityKindEnum": "activities.models.Activity.Kind",
    "ActivityStateEnum": "activities.models.Activity.State",
    "ActivityParticipantStatusEnum": "activities.models.Participant.Status",
    "StationKindEnum": "activities.models.Station.Kind",
    "ActivityGroupKindEnum": "activities.models.Group.Kind",
    "CaseStateEnum": "activities.models.Case.State",
    "SupervisorKindEnum": "activities.models.SupervisorAppointment.Kind",
}
