"""Teachers in a real browser: the Teachers group as its migrations make it, and signing in to the admin."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from playwright.sync_api import Page, expect

from explainer import teachers as reading
from explainer.teachers import TEACHER_GROUP, teacher_codenames
from quizzes import teachers as practice
from tests.conftest import PASSWORD


def teachers_group() -> None:
    """The Teachers group as its migrations make it: a transactional test before this one has
    flushed the database, and with it the group (the permissions come back after a flush)."""
    wanted = Q()
    shares = {"explainer": reading.TEACHER_PERMISSIONS, "quizzes": practice.TEACHER_PERMISSIONS}
    for app_label, permissions in shares.items():
        wanted |= Q(content_type__app_label=app_label, codename__in=teacher_codenames(permissions))
    group, _ = Group.objects.get_or_create(name=TEACHER_GROUP)
    group.permissions.add(*Permission.objects.filter(wanted))


def admin_login(page: Page, site: str, username: str) -> None:
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text(f"Welcome, {username}.")
