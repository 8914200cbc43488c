"""Chinese labels for the codes the logs store as plain strings, so nobody reads `in_progress` or
`proposal_publish` in the admin: states of any workflow model (from the model's own State choices, found
through the log row's content type), transition actions, and audit action names (entity prefix + verb).

An app with codes of its own may add to them with register_action_labels() from its ready()."""

from django.contrib.contenttypes.models import ContentType

# Verbs of transition logs and the tail of audit action names.
ACTION_LABELS: dict[str, str] = {
    "create": "创建",
    "update": "修改",
    "edit": "修改",
    "delete": "删除",
    "submit": "提交",
    "resubmit": "重新提交",
    "cosigners_answered": "联名确认完毕",
    "cosign": "联名答复",
    "withdraw": "撤回",
    "return": "退回修改",
    "register": "立案",
    "reject": "不予立案/采用",
    "merge": "并案",
    "merge_target": "并入",
    "assign": "交办",
    "accept": "签收",
    "reply": "答复",
    "evaluate": "满意度测评",
    "satisfied": "满意",
    "dissatisfied": "不满意",
    "rehandle": "重新办理",
    "close_unrated": "未评价办结",
    "close": "办结",
    "cancel": "取消",
    "request_adjustment": "申请调整",
    "approve_adjustment": "同意调整",
    "refuse_adjustment": "不同意调整",
    "request_extension": "申请延期",
    "approve_extension": "同意延期",
    "resolve_extension": "处理延期申请",
    "co_opinion": "提交会办意见",
    "add_contact": "登记面商",
    "attachment_add": "上传附件",
    "supervise": "设为督办",
    "mark_key": "设为重点提案",
    "publish": "公开/刊发",
    "unpublish": "取消公开",
    "publish_opt_out": "申请不公开",
    "adopt": "采用",
    "instruct": "批示",
    "forward": "报送",
    "upper_adopt": "上级采用",
    "transfer": "转办",
    "feedback": "反馈",
    "approve": "批准",
    "plan_approve": "随计划批准",
    "plan_create": "制定计划",
    "plan_approve_all": "批准计划",
    "start_research": "开始调研",
    "research_add": "登记调研",
    "hold": "举行",
    "submit_outcome": "报送成果",
    "outcome_submit": "报送成果",
    "minutes": "登记纪要",
    "invite": "邀请",
    "check_in": "签到",
    "attendance": "登记出席",
    "speech_submit": "提交发言",
    "speech_pick": "选定发言",
    "reschedule": "改期",
    "reorder": "调整顺序",
    "add_report": "加入稿件",
    "remove_report": "移出稿件",
    "report": "填报",
    "record": "记录",
    "record_withdraw": "撤销记录",
    "confirm": "确认",
    "decline": "不予确认",
    "low_score_remind": "低分提醒",
    "day_set": "修改日期",
    "load_year": "载入年度节假日",
    "holidays_enter": "录入年度节假日",
    "open": "开启新年度",
    "import": "导入",
    "profile_update": "修改个人信息",
    "admin_change": "后台修改",
    "recompute": "重算期限",
    "due_date_recompute": "重算期限",
    "due_date_set": "指定答复期限",
    "activation_links": "生成激活链接",
}

# Audit action names are `<entity>_<verb>`; the longest matching entity wins.
ENTITY_LABELS: dict[str, str] = {
    "proposal": "提案",
    "opinion_report": "社情民意",
    "assignment": "提案交办",
    "transfer": "社情民意转办",
    "bulletin": "专报",
    "consultation_topic": "协商议题",
    "consultation_meeting": "协商会议",
    "consultation_plan": "协商计划",
    "consultation_speech": "协商发言",
    "consultation_research": "协商调研",
    "consultation_outcome": "协商成果",
    "consultation": "协商",
    "duty": "履职",
    "duty_record": "履职记录",
    "scoring_scheme": "积分方案",
    "scoring_rule": "积分规则",
    "member": "委员",
    "members": "委员",
    "department": "承办单位",
    "departments": "承办单位",
    "user": "用户",
    "work_calendar": "工作日历",
}


def register_action_labels(labels: dict[str, str]) -> None:
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    """A transition or audit action in Chinese: 交办, 提案：公开/刊发, 工作日历：载入年度节假日."""
    if not code:
        return "状态变更"
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    for entity in sorted(ENTITY_LABELS, key=len, reverse=True):
        if code.startswith(entity + "_"):
            verb = code[len(entity) + 1 :]
            return f"{ENTITY_LABELS[entity]}：{ACTION_LABELS.get(verb, '其他操作')}"
    return "其他操作"


def state_labels_of(content_type_id: int | None) -> dict[str, str]:
    """The state labels of the model behind a content type: its State choices, or its `state` field's."""
    if not content_type_id:
        return {}
    model = ContentType.objects.get_for_id(content_type_id).model_class()  # cached by Django
    if model is None:
        return {}
    choices = getattr(getattr(model, "State", None), "choices", None)
    if choices is None:
        try:
            choices = model._meta.get_field("state").choices
        except Exception:  # noqa: BLE001 — a model without a state field has no labels
            choices = None
    return dict(choices or [])


def all_state_labels() -> dict[str, str]:
    """Every workflow state code → label (the first model naming a code wins), for filters."""
    from .models import TransitionLog

    labels: dict[str, str] = {}
    ids = TransitionLog.objects.order_by().values_list("content_type_id", flat=True).distinct()
    for ct_id in ids:
        for code, label in state_labels_of(ct_id).items():
            labels.setdefault(code, label)
    return labels


def state_label(content_type_id: int | None, code: str) -> str:
    if not code:
        return ""
    return state_labels_of(content_type_id).get(code) or all_state_labels().get(code) or "其他状态"
