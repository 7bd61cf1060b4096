from django.contrib.admin.apps import AdminConfig


class ClassroomAdminConfig(AdminConfig):
    """Django's admin with this project's site (config/admin.py); as the project's one app
    config, it also registers the project's database lookups (config/lookups.py)."""

    default_site = "config.admin.ClassroomAdminSite"

    def ready(self) -> None:
        from config import lookups

        lookups.register()
        super().ready()
