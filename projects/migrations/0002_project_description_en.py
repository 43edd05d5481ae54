"""A project's description in English beside the Russian one, searched like the other fields.

The demo content stored both summaries, one after the other, as the description, so a Russian
page showed an English paragraph and every page the summary twice: such descriptions are
emptied (the summaries stay).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


def drop_descriptions_made_of_the_summaries(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    for project in Project.objects.exclude(description="").only("pk", "summary", "summary_en", "description"):
        if project.description.strip() == f"{project.summary}\n\n{project.summary_en}".strip():
            Project.objects.filter(pk=project.pk).update(description="")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="description_en",
            field=models.TextField(blank=True, verbose_name="description in English"),
        ),
        migrations.RunPython(drop_descriptions_made_of_the_summaries, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="project", name="project_fts_ru_idx"),
        migrations.RemoveIndex(model_name="project", name="project_fts_en_idx"),
        migrations.AddIndex(
            model_name="project",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector(
                    "title", "title_en", "summary", "summary_en", "description", "description_en", config="russian"
                ),
                name="project_fts_ru_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector(
                    "title", "title_en", "summary", "summary_en", "description", "description_en", config="english"
                ),
                name="project_fts_en_idx",
            ),
        ),
    ]
