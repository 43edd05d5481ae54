# In its own migration (its own transaction): PostgreSQL refuses to alter a table whose rows
# were just updated while deferred foreign-key checks on it are pending.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_name_parts"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="full_name"),
    ]
