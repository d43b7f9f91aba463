"""The category taxonomy every deployment starts with: the categories of the seeds
(DOMAIN.md), two levels. The system administrator edits them in admin afterwards."""

TAXONOMY = [
    ("生态环境", ["环境卫生", "噪声扰民", "垃圾分类", "园林绿化", "大气与水污染"]),
    ("城市管理", ["停车管理", "交通秩序", "道路设施", "电动自行车充电", "违法建设", "市容市貌"]),
    ("住房与物业", ["物业管理", "老旧小区改造", "加装电梯", "住房保障", "供暖供水供气"]),
    ("民生服务", ["养老助餐", "医疗卫生", "教育", "就业", "社会保障", "文化体育"]),
    ("城市更新与乡村振兴", ["城市更新", "乡村振兴", "农业农村", "基础设施建设"]),
    ("安全", ["安全生产", "消防安全", "食品药品安全", "社会治安"]),
    ("其他", ["政策咨询", "其他事项"]),
]


def seed_taxonomy(Category) -> None:
    """Create the missing nodes (Category: the model class, historical in a migration)."""
    for i, (top, children) in enumerate(TAXONOMY):
        parent, _ = Category.objects.get_or_create(name=top, parent=None, defaults={"position": (i + 1) * 10})
        for j, name in enumerate(children):
            Category.objects.get_or_create(name=name, parent=parent, defaults={"position": j + 1})
