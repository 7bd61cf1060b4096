from django.db import migrations

from explainer.teachers import TEACHER_PERMISSIONS, teacher_group_sync


def create_teachers_group(apps, schema_editor):
    teacher_group_sync(apps, "explainer", TEACHER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("explainer", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_teachers_group, migrations.RunPython.noop)]
