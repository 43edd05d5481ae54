"""Labels only, no data: identifiers named in Latin letters in English (INN, OGRN, KPP, OKVED), sizes by
their legal categories, and the individual-entrepreneur kind an ИП gets when none is chosen."""

from django.conf import settings
from django.db import migrations, models

import members.validators


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_organisation_sort_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="inn",
            field=models.CharField(
                max_length=12,
                unique=True,
                validators=[members.validators.validate_inn],
                verbose_name="INN (taxpayer number)",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("company", "Company"),
                    ("university", "University"),
                    ("research_institute", "Research institute"),
                    ("development_institution", "Development institution"),
                    ("investor", "Investor"),
                    ("sole_trader", "Individual entrepreneur"),
                    ("other", "Other"),
                ],
                default="company",
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="kpp",
            field=models.CharField(
                blank=True, max_length=9, validators=[members.validators.validate_kpp], verbose_name="KPP"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="legal_form",
            field=models.CharField(
                choices=[("legal_entity", "Legal entity"), ("sole_trader", "Individual entrepreneur")],
                max_length=20,
                verbose_name="legal form",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="ogrn",
            field=models.CharField(
                max_length=15, unique=True, validators=[members.validators.validate_ogrn], verbose_name="OGRN / OGRNIP"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="okved",
            field=models.CharField(
                blank=True, max_length=8, validators=[members.validators.validate_okved], verbose_name="main OKVED code"
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="size",
            field=models.CharField(
                choices=[
                    ("micro", "Micro-enterprise"),
                    ("small", "Small enterprise"),
                    ("medium", "Medium-sized enterprise"),
                    ("large", "Large enterprise"),
                ],
                default="small",
                max_length=10,
                verbose_name="enterprise category",
            ),
        ),
        migrations.AlterConstraint(
            model_name="organisation",
            name="organisation_identifiers_fit_legal_form",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("inn__length", 10), ("kpp__length", 9), ("legal_form", "legal_entity"), ("ogrn__length", 13)
                    ),
                    models.Q(("inn__length", 12), ("kpp", ""), ("legal_form", "sole_trader"), ("ogrn__length", 15)),
                    _connector="OR",
                ),
                name="organisation_identifiers_fit_legal_form",
                violation_error_message="INN, OGRN and KPP do not fit the legal form.",
            ),
        ),
    ]
