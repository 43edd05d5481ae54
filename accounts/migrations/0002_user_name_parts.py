"""The person's name in three parts instead of one box; existing names are split (accounts.names)."""

from django.db import migrations, models

from accounts.names import split_full_name


def split_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    changed = []
    for user in User.objects.exclude(full_name="").only("pk", "full_name").iterator(chunk_size=1000):
        user.last_name, user.first_name, user.patronymic = split_full_name(user.full_name)
        changed.append(user)
    User.objects.bulk_update(changed, ["last_name", "first_name", "patronymic"], batch_size=1000)


def join_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "last_name", "first_name", "patronymic").iterator(chunk_size=1000):
        user.full_name = " ".join(p for p in (user.last_name, user.first_name, user.patronymic) if p)
        user.save(update_fields=["full_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="last_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="surname"),
        ),
        migrations.AddField(
            model_name="user",
            name="first_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="first name"),
        ),
        migrations.AddField(
            model_name="user",
            name="patronymic",
            field=models.CharField(blank=True, max_length=150, verbose_name="patronymic"),
        ),
        migrations.RunPython(split_names, join_names, elidable=False),
    ]
