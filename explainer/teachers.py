"""The "Teachers" group: exactly the permissions a teacher needs in the admin.

Teachers edit the reading content and the fact base. They may not add or delete the article
or its sentences (the source text is fixed), only correct them. Later apps extend
TEACHER_PERMISSIONS and call `teacher_group_sync` from a migration of their own.
"""

TEACHER_GROUP = "Teachers"

TEACHER_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "explainer": {
        "article": ("view", "change"),
        "sentence": ("view", "change"),
        "topic": ("view", "add", "change", "delete"),
        "fact": ("view", "add", "change", "delete"),
        "glossaryterm": ("view", "add", "change", "delete"),
        "timelineevent": ("view", "add", "change", "delete"),
        "member": ("view", "change"),
    },
    # Quizzes, questions, classes and homework: a teacher's own (the admin scopes every screen to
    # its owner; the built-in quizzes are a read-only library to view and duplicate).
    "quizzes": {
        "quiz": ("view", "add", "change", "delete"),
        "question": ("view", "add", "change", "delete"),
        "option": ("view", "add", "change", "delete"),
        "classroom": ("view", "add", "change", "delete"),
        "enrolment": ("view", "delete"),
        "assignment": ("view", "add", "change", "delete"),
        # Live sessions are started from a quiz (the admin's add page) and run from the host view.
        "livesession": ("view", "add", "delete"),
        "participant": ("view", "delete"),
    },
}


def teacher_codenames(app_label: str) -> list[str]:
    """The permission codenames the group holds in `app_label`, e.g. "change_fact"."""
    return [f"{action}_{model}" for model, actions in TEACHER_PERMISSIONS[app_label].items() for action in actions]


def teacher_group_sync(apps, app_label: str) -> None:
    """Create the group if needed and grant it `app_label`'s share of TEACHER_PERMISSIONS.

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
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=teacher_codenames(app_label)
    )
    group.permissions.add(*permissions)
