from django.contrib import admin

from outsidein.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "progress", "organisation", "created_at"]
    list_filter = ["status", "kind", "organisation"]
    readonly_fields = ["uuid", "log", "result", "error", "started_at", "finished_at"]
