"""Demo 网络议政 for `seed_demo`: one open with posts, a department's reply and endorsements, and one
already summarized into numbered suggestions. Idempotent (skipped once any deliberation exists)."""

from datetime import timedelta

from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Department, User

from . import services
from .models import Deliberation


def seed_deliberations_demo() -> int:
    if Deliberation.objects.exists():
        return 0
    staff = User.objects.filter(username="staff").first()
    people = list(
        Member.objects.filter(user__username__in=[f"member{i}" for i in range(1, 7)]).select_related("user")
    )
    if staff is None or len(people) < 3:
        return 0
    dept = Department.objects.filter(code="FGW").first()
    dept_user = User.objects.filter(department=dept, role="department").first() if dept else None
    now = timezone.now()

    past = services.deliberation_create(
        actor=staff,
        title="如何推动夜间经济健康发展",
        description="请委员围绕夜间消费场景、交通与安全管理等建言献策。",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    posts = [
        services.post_create(
            actor=people[0].user,
            deliberation=past,
            content="建议在老城区打造特色夜市街区，统一规划摊位与消防通道。",
        ),
        services.post_create(
            actor=people[1].user, deliberation=past, content="夜间公交线路应延长至23点，方便市民出行。"
        ),
        services.post_create(
            actor=people[2].user, deliberation=past, content="加强夜间食品安全抽检，公开抽检结果。"
        ),
    ]
    services.post_endorse(actor=people[1].user, post=posts[0])
    Deliberation.objects.filter(pk=past.pk).update(
        opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=5)
    )
    past.refresh_from_db()
    services.deliberation_summarize(
        actor=staff,
        deliberation=past,
        summary="委员围绕夜间经济踊跃建言，现梳理形成以下建议。",
        suggestions=[
            {"content": "规划建设特色夜市街区，完善消防与卫生配套。", "posts": [posts[0].pk]},
            {"content": "优化夜间公共交通，延长重点线路运营时间。", "posts": [posts[1].pk]},
            {"content": "强化夜间食品安全监管，定期公开抽检结果。", "posts": [posts[2].pk]},
        ],
    )

    current = services.deliberation_create(
        actor=staff,
        title="优化营商环境网络议政",
        description="围绕政务服务“一网通办”、涉企检查和融资难等问题，欢迎委员发表意见建议。",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
        departments=[dept] if dept else (),
    )
    first = services.post_create(
        actor=people[3].user, deliberation=current, content="建议企业开办实现全程网办，材料只交一次。"
    )
    services.post_create(
        actor=people[4].user, deliberation=current, content="涉企检查应推行“综合查一次”，减少重复检查。"
    )
    services.post_endorse(actor=people[4].user, post=first)
    if dept_user is not None:
        services.post_create(
            actor=dept_user,
            deliberation=current,
            content="我委正在推进企业开办“一件事”改革，年内实现全程网办。",
            reply_to=first,
        )
    return 2
