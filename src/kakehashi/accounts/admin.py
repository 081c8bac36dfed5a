from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Invitation, Membership, Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Kakehashi", {"fields": ("display_name", "language", "timezone")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_ja", "kind")
    list_filter = ("kind",)
    search_fields = ("slug", "name_en", "name_ja")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("token_digest",)
