"""Enum names for the OpenAPI schema (merged into SPECTACULAR_SETTINGS by settings)."""

ENUM_NAME_OVERRIDES = {
    # Our ResearchActivity.kind collides with the proposals' `kind`: name both after their owner.
    "ProposalKindEnum": "proposals.models.Proposal.Kind",
    "ConsultationTypeEnum": "consultations.models.ConsultationType",
    "ConsultationPlanStateEnum": "consultations.models.ConsultationPlan.State",
    "ConsultationTopicStateEnum": "consultations.models.Topic.State",
    "ConsultationMeetingStateEnum": "consultations.models.Meeting.State",
    "ConsultationResearchKindEnum": "consultations.models.ResearchActivity.Kind",
    "ConsultationAttendanceStatusEnum": "consultations.models.Attendance.Status",
    "ConsultationAttendanceReplyEnum": "consultations.models.Attendance.Reply",
    "LeaveRequestKindEnum": "consultations.models.LeaveRequest.Kind",
    "LeaveRequestStateEnum": "consultations.models.LeaveRequest.State",
    "ReportOpinionReportEnum": "consultations.models.ReportOpinion.Report",
    "VoteKindEnum": "consultations.models.Vote.Kind",
    "VoteRuleEnum": "consultations.models.Vote.Rule",
    "VoteStateEnum": "consultations.models.Vote.State",
    "BallotChoiceEnum": "consultations.models.Ballot.Choice",
}
