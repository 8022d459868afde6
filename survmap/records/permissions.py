"""The "moderators" group: staff who may add, change and delete public records in the admin."""

from typing import Any

from django.contrib.auth.models import Group, Permission

MODERATORS_GROUP = "moderators"

# App labels whose models moderators edit; later apps (submissions) add theirs here.
# (imports: its admin lets no one add, change or delete a run; moderators view and mark handled.)
MODERATED_APPS = ("records", "submissions", "research", "imports", "platereaders")
VIEW_ONLY_APPS = ("geo",)


def ensure_moderators_group(**kwargs: Any) -> None:
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=MODERATED_APPS) | (
        Permission.objects.filter(
            content_type__app_label__in=VIEW_ONLY_APPS, codename__startswith="view_"
        )
    )
    group.permissions.add(*permissions)
