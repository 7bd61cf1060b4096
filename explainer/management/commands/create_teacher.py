import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from explainer.teachers import TEACHER_GROUP


class Command(BaseCommand):
    help = "Create a teacher: a staff user in the Teachers group, who can log in at /admin/."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="The password (asked for if not given).")

    def handle(self, *args, username: str, password: str | None, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        if password is None:
            password = getpass.getpass("Password: ")
        user = user_model(username=username, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        try:
            group = Group.objects.get(name=TEACHER_GROUP)
        except Group.DoesNotExist:
            raise CommandError("The Teachers group is missing: run `python manage.py migrate` first.") from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"Teacher {username!r} created. Log in at /admin/."))
