"""Schema enum names for proposals' choice fields (merged into SPECTACULAR_SETTINGS by settings)."""

ENUM_NAME_OVERRIDES = {
    "ProposalKindEnum": "proposals.models.Proposal.Kind",
    "ProposalDispositionEnum": "proposals.models.Proposal.Disposition",
    "SupervisionKindEnum": "proposals.models.Supervision.Kind",
    "EvaluationSatisfactionEnum": "proposals.models.Evaluation.Satisfaction",
    "OutcomeKindEnum": "proposals.models.Outcome.Kind",
    "KeyRoundStateEnum": "proposals.models.KeyRound.State",
    "ReviewRoundStateEnum": "proposals.models.ReviewRound.State",
}
