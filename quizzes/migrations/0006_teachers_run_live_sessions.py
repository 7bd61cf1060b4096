from django.db import migrations

from explainer.teachers import teacher_group_sync
from quizzes.teachers import TEACHER_PERMISSIONS


def grant(apps, schema_editor):
    teacher_group_sync(apps, "quizzes", TEACHER_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0005_live_sessions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
