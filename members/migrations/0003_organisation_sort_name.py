"""Organisations sort by their name without the legal form and quotes (members.names).

The key is added, filled for the existing rows, and the indexes that ordered by the short
name are replaced by the same indexes on the key, so the directory's keyset pages still walk
an index.
"""

from django.db import migrations, models

from members.names import name_sort_key

BATCH = 2000


def fill_sort_names(apps, schema_editor):
    Organisation = apps.get_model("members", "Organisation")
    rows = Organisation.objects.only("pk", "short_name").order_by("pk")
    batch = []
    for organisation in rows.iterator(chunk_size=BATCH):
        organisation.sort_name = name_sort_key(organisation.short_name)
        batch.append(organisation)
        if len(batch) == BATCH:
            Organisation.objects.bulk_update(batch, ["sort_name"])
            batch = []
    Organisation.objects.bulk_update(batch, ["sort_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_regions_and_directions"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="sort_name",
            field=models.CharField(default="", editable=False, max_length=200, verbose_name="name for sorting"),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": ["sort_name", "pk"],
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
            },
        ),
        migrations.RemoveIndex(model_name="organisation", name="org_region_name_idx"),
        migrations.RemoveIndex(model_name="organisation", name="org_short_name_id_idx"),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["region", "sort_name"], name="org_region_sort_name_idx"),
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["sort_name", "id"], name="org_sort_name_id_idx"),
        ),
    ]
