from __future__ import annotations

from django.db import models


class FloorRow(models.Model):
    """One submitted form; its table is created by the benchmark (no migrations)."""

    nps = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "bench_floor_row"

    def __str__(self) -> str:
        return f"{self.nps}"
