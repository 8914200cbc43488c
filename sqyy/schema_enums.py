"""Schema enum names for 社情民意's choice fields (merged into SPECTACULAR_SETTINGS by settings)."""

ENUM_NAME_OVERRIDES = {
    "OpinionInstructionLevelEnum": "sqyy.models.Instruction.Level",
    "OpinionReflectorKindEnum": "sqyy.models.OpinionReport.ReflectorKind",
    "OpinionUpperAdoptionKindEnum": "sqyy.models.UpperAdoption.Kind",
    "OpinionBulletinStateEnum": "sqyy.models.Bulletin.State",
}
