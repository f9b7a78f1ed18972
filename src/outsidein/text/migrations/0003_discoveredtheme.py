import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_customer_consent_updates"),
        ("jobs", "0001_initial"),
        ("text", "0002_theme_growth_alerted_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="DiscoveredTheme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("label", models.CharField(max_length=80, verbose_name="label")),
                (
                    "phrases",
                    models.JSONField(blank=True, default=dict, verbose_name="key phrases"),
                ),
                ("keywords", models.TextField(blank=True)),
                ("size", models.PositiveIntegerField(default=0, verbose_name="comments")),
                ("days", models.PositiveIntegerField(default=90)),
                ("examples", models.JSONField(blank=True, default=list)),
                ("members", models.JSONField(blank=True, default=list)),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="jobs.job",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "theme",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="discovery",
                        to="text.theme",
                        verbose_name="theme",
                    ),
                ),
            ],
            options={
                "verbose_name": "discovered theme",
                "verbose_name_plural": "discovered themes",
                "ordering": ["-size"],
            },
        ),
    ]
