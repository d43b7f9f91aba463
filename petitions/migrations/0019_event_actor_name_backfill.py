"""Copy each acting user's display name onto the history rows written before `actor_name`
existed, so the history keeps "who" whatever later happens to the account."""

from django.db import migrations


def display_name(user) -> str:
    # User.display_name, spelled out (historical models have no properties).
    full = f"{user.first_name} {user.last_name}".strip()
    return (user.full_name or full or user.username)[:64]


def backfill(apps, schema_editor):
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    User = apps.get_model("liaison", "User")
    actor_ids = (
        PetitionEvent.objects.filter(actor__isnull=False, actor_name="").values_list("actor_id", flat=True).distinct()
    )
    for user in User.objects.filter(pk__in=list(actor_ids)).only("first_name", "last_name", "full_name", "username"):
        PetitionEvent.objects.filter(actor_id=user.pk, actor_name="").update(actor_name=display_name(user))


class Migration(migrations.Migration):
    dependencies = [("petitions", "0018_never_deleted"), ("liaison", "0004_audit_log")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
