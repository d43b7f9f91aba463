"""Default deadline rules (working days, the office can change them), a few general reply
templates, and a lead assignment for every item that already had a department."""

from django.db import migrations

RULES = [
    # route, urgency, lead working days, co-handler working days
    ("direct", "urgent", 3, 2),
    ("direct", "normal", 15, 10),
    ("consultation", "urgent", 2, 1),
    ("consultation", "normal", 5, 3),
    ("on_the_spot", "urgent", 1, 1),
    ("on_the_spot", "normal", 3, 2),
]

TEMPLATES = [
    ("A", "Solved", "已解决", "经核实，您反映的问题已于　月　日解决。具体情况如下：\n\n感谢您对我们工作的关心和支持。"),
    (
        "B",
        "Being solved",
        "正在解决",
        "您反映的问题我单位高度重视，已列入工作计划，预计于　年　月前解决。目前进展如下：\n\n我们将及时向您反馈后续进展。",
    ),
    (
        "C",
        "Cannot be solved now",
        "暂不具备解决条件",
        "经研究，您反映的问题因以下原因暂不具备解决条件：\n\n下一步，我单位将：\n\n请您理解。",
    ),
    ("D", "Kept for reference", "留作参考", "感谢您提出的意见建议，我单位已认真研究，将在今后工作中参考。"),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    ReplyTemplate = apps.get_model("petitions", "ReplyTemplate")
    for route, urgency, days, co_days in RULES:
        DeadlineRule.objects.get_or_create(
            route=route, urgency=urgency, defaults={"working_days": days, "co_working_days": co_days}
        )
    for outcome, _english, title, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(category=None, outcome=outcome, title=title, defaults={"text": text})
    schema_editor.execute(
        """
        INSERT INTO petitions_assignment (petition_id, department_id, role, state, round, due_on, assigned_at, note)
        SELECT id, lead_department_id, 'lead',
               CASE WHEN status = 'assigned' THEN 'pending'
                    WHEN status IN ('accepted', 'in_progress') THEN 'accepted'
                    ELSE 'done' END,
               1, due_on, registered_at, ''
        FROM petitions_petition
        WHERE lead_department_id IS NOT NULL AND due_on IS NOT NULL
          AND status NOT IN ('registered', 'triaged', 'linked')
        """
    )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0007_handling")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
