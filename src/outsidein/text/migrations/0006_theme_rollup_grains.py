"""The theme rollup at four grains: the marginal rows (segment and/or team -1, "any") are added
to the existing rows, summed from the full-grain ones, and an index finds a grain's rows."""

from typing import Any

from django.db import migrations, models
from django.db.models import Sum

ANY = -1
COUNTERS = (
    "n",
    "score_sum",
    "score_sq",
    "promoters",
    "passives",
    "detractors",
    "csat_top2",
    "csat_n",
)


def add_marginal_rows(apps: Any, schema_editor: Any) -> None:
    for name, period in (("DailyThemeRollup", "day"), ("MonthlyThemeRollup", "month")):
        model = apps.get_model("text", name)
        full = model.objects.using(schema_editor.connection.alias).filter(
            segment_id__gte=0, team_id__gte=0
        )
        for kept in (("segment_id",), ("team_id",), ()):
            grouping = ["organisation_id", period, "theme", "sentiment", *kept]
            batch = []
            for row in full.values(*grouping).annotate(**{c: Sum(c) for c in COUNTERS}).order_by():
                batch.append(
                    model(
                        **row,
                        **{d: ANY for d in ("segment_id", "team_id") if d not in kept},
                    )
                )
                if len(batch) >= 5000:
                    model.objects.using(schema_editor.connection.alias).bulk_create(batch)
                    batch = []
            model.objects.using(schema_editor.connection.alias).bulk_create(batch)


def drop_marginal_rows(apps: Any, schema_editor: Any) -> None:
    for name in ("DailyThemeRollup", "MonthlyThemeRollup"):
        model = apps.get_model("text", name)
        model.objects.filter(models.Q(segment_id=ANY) | models.Q(team_id=ANY)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("text", "0005_feedback_embedding"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dailythemerollup",
            index=models.Index(
                fields=["organisation", "segment_id", "team_id", "day"],
                name="text_daily_theme_grain",
            ),
        ),
        migrations.AddIndex(
            model_name="monthlythemerollup",
            index=models.Index(
                fields=["organisation", "segment_id", "team_id", "month"],
                name="text_monthly_theme_grain",
            ),
        ),
        migrations.RunPython(add_marginal_rows, drop_marginal_rows),
    ]
