# Committee working bodies (委室): the model, the role of their staff, and the rule that such an
# account names the jurisdiction of its office. No data to move: no account has the role yet.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0009_calendar_local"),
        ("petitions", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("station_staff", "Station staff"),
                    ("representative", "Representative"),
                    ("department", "Department user"),
                    ("committee_office", "Committee office"),
                    ("working_body", "Working body staff"),
                    ("admin", "System administrator"),
                ],
                default="station_staff",
                max_length=32,
                verbose_name="role",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="jurisdiction",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Committee office accounts see everything under this jurisdiction; "
                    "working-body staff work for its office."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="users",
                to="liaison.jurisdiction",
                verbose_name="jurisdiction",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("role", "working_body"), _negated=True) | models.Q(jurisdiction__isnull=False),
                name="user_working_body_has_jurisdiction",
                violation_error_message="Give a working body's staff account the jurisdiction of its office.",
            ),
        ),
        migrations.CreateModel(
            name="WorkingBody",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="For example: 城建环保委.", max_length=64, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="working_bodies",
                        to="liaison.office",
                        verbose_name="Committee office",
                    ),
                ),
                (
                    "departments",
                    models.ManyToManyField(
                        blank=True,
                        related_name="working_bodies",
                        to="petitions.department",
                        verbose_name="departments coordinated",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True, related_name="working_bodies", to=settings.AUTH_USER_MODEL, verbose_name="staff"
                    ),
                ),
            ],
            options={
                "verbose_name": "working body",
                "verbose_name_plural": "working bodies",
                "ordering": ["office__jurisdiction__code", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("office", "name"), name="working_body_name_unique_in_office")
                ],
            },
        ),
    ]
