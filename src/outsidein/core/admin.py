"""The Django admin is for the platform operator (superusers), not for organisations' staff."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from outsidein.core.models import (
    ApiToken,
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
    User,
)
from outsidein.core.ratelimit import throttled_admin_login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "last_login"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "language", "created_at"]
    search_fields = ["name", "slug"]


class TenantAdmin(admin.ModelAdmin):
    list_filter = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(Team)
class TeamAdmin(TenantAdmin):
    list_display = ["name", "kind", "parent", "organisation"]
    search_fields = ["name", "slug"]


@admin.register(Segment)
class SegmentAdmin(TenantAdmin):
    list_display = ["name", "organisation"]


@admin.register(Person)
class PersonAdmin(TenantAdmin):
    list_display = ["name", "email", "role", "team", "customer_facing", "is_active", "organisation"]
    search_fields = ["name", "email"]
    raw_id_fields = ["user", "team"]


@admin.register(Customer)
class CustomerAdmin(TenantAdmin):
    list_display = ["name", "external_id", "kind", "segment", "language", "organisation"]
    search_fields = ["name", "email", "external_id"]
    raw_id_fields = ["segment"]


@admin.register(CustomerContactPerson)
class ContactPersonAdmin(TenantAdmin):
    list_display = ["name", "customer", "is_primary", "organisation"]
    raw_id_fields = ["customer"]


@admin.register(ApiToken)
class ApiTokenAdmin(TenantAdmin):
    list_display = ["name", "prefix", "person", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
    raw_id_fields = ["person"]


# The operator's login is throttled like everyone else's (per account and address, per address).
admin.site.login = throttled_admin_login(admin.site.login)  # type: ignore[method-assign]
