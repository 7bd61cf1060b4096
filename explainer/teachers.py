"""The "Teachers" group: exactly the permissions a teacher needs in the admin.

Each app declares its own share in its `teachers.py` (`TEACHER_PERMISSIONS`: model name to
actions) and grants it from a migration of its own with `teacher_group_sync`.

The reading side's share: teachers edit the reading content and the fact base. They may not add
or delete the article or its sentences (the source text is fixed), only correct them.
"""

TEACHER_GROUP = "Teachers"

type Permissions = dict[str, tuple[str, ...]]

TEACHER_PERMISSIONS: Permissions = {
    "article": ("view", "change"),
    "sentence": ("view", "change"),
    "topic": ("view", "add", "change", "delete"),
    "fact": ("view", "add", "change", "delete"),
    "glossaryterm": ("view", "add", "change", "delete"),
    "timelineevent": ("view", "add", "change", "delete"),
    "member": ("view", "change"),
}


def teacher_codenames(permissions: Permissions) -> list[str]:
    """The permission codenames of an app's share, e.g. "change_fact"."""
    return [f"{action}_{model}" for model, actions in permissions.items() for action in actions]


def teacher_group_sync(apps, app_label: str, permissions: Permissions) -> None:
    """Create the group if needed and grant it `permissions`, the share of `app_label`.

    Usable from a migration (pass its historical `apps`): permissions are normally created
    after all migrations run, so they are created here first.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=TEACHER_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=teacher_codenames(permissions))
    )
