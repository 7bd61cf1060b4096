from django.contrib.admin.apps import AdminConfig


class ClassroomAdminConfig(AdminConfig):
    default_site = "config.admin.ClassroomAdminSite"
