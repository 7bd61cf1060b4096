"""Personas and seeded content, shared by every test module.

The content files are loaded once into the test database when it is created; tests in a
transaction see them for free. Transactional tests (the browser tests) empty the database
afterwards, so the `content` fixture puts the rows of that first load back whenever it finds
nothing (a bulk insert: milliseconds, where loading the files again takes over a second).
"""

from datetime import UTC, datetime

import hypothesis
import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.test import Client

from explainer.models import Article
from explainer.services import content_load
from explainer.teachers import TEACHER_GROUP
from quizzes.live.cache import _read as live_read
from tests.live_helpers import short_quiz

PASSWORD = "correct-horse-battery-staple-42"

# No hypothesis example is timed: speed is measured by `make bench`, and on a machine busy with the
# parallel suite a deadline would fail at random.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.load_profile("suite")

# The SQLite test database is a file there (config/settings.py): its folder must exist.
(settings.BASE_DIR / ".cache").mkdir(exist_ok=True)

READING_PAGES = [
    "/",
    "/article/",
    "/topics/csto/",
    "/topics/union-state/",
    "/topics/milk-war/",
    "/facts/",
    "/glossary/",
    "/timeline/",
    "/map/",
    "/quizzes/",
    "/quizzes/csto/",
]


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def _serial(item) -> bool:
    """Tests that flush the database, serve it to a browser or race threads against it: `make
    test` runs them on their own after the rest, which runs in parallel (pytest-xdist)."""
    return _transactional(item) or not {"live_server", "transactional_db"}.isdisjoint(item.fixturenames)


def pytest_itemcollected(item):
    if _serial(item):  # marked as collected: `-m` selects afterwards
        item.add_marker(pytest.mark.serial)


def pytest_collection_modifyitems(items):
    # Transactional tests (the concurrency tests, the browser tests) flush the database when
    # they finish; run them last so the content loaded once serves every other test first.
    items.sort(key=lambda item: ("tests/browser/" in item.nodeid, _transactional(item)))


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _test_settings(settings, _cache_dir):
    # The file cache of production (what live sessions' polls read), in a folder of this run's
    # own, emptied before each test; with REDIS_URL, the Redis of config/settings.py (CI runs
    # the live tests a third time that way).
    if not settings.REDIS_URL:
        settings.CACHES = {"default": {"BACKEND": "config.cache.FileCache", "LOCATION": str(_cache_dir)}}
    cache.clear()
    live_read.clear()  # what this process kept of the cache (quizzes.live.per_version)
    # A deliberately weak hasher: personas are created in almost every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage of production needs collectstatic; tests serve from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# What the first load of this test process wrote (the content and the built-in quizzes), per model.
_first_load: list[list] = []
CONTENT_APPS = ("explainer", "quizzes")


def ensure_content() -> None:
    if not ContentType.objects.exists():
        # A transactional test with serialized_rollback empties the database on its way out
        # and leaves post_migrate to the next such test: bring back the content types and the
        # permissions a teacher's group is made of.
        ContentType.objects.clear_cache()
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    if Article.objects.exists():
        return
    if _first_load:
        _rows_restore(_first_load)
    else:
        content_load(directory=settings.CONTENT_DIR)
        _first_load.extend(_rows_of(CONTENT_APPS))


def _rows_of(app_labels) -> list[list]:
    models = [m for label in app_labels for m in apps.get_app_config(label).get_models(include_auto_created=True)]
    return [rows for rows in (list(model._base_manager.all()) for model in models) if rows]


def _rows_restore(tables: list[list]) -> None:
    """Insert the rows again, ids and all. Foreign keys are checked at commit (deferred on SQLite
    and PostgreSQL), so the order of the tables does not matter; PostgreSQL's sequences are then
    moved past the ids."""
    with transaction.atomic():
        for rows in tables:
            type(rows[0])._base_manager.bulk_create(rows)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [type(rows[0]) for rows in tables]):
                cursor.execute(statement)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_content()


@pytest.fixture
def content(db) -> None:
    """The seeded article, topics, facts, glossary, timeline and members."""
    ensure_content()


def _teacher(username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=TEACHER_GROUP))
    return user


@pytest.fixture
def teacher(db) -> User:
    """A teacher who owns things."""
    return _teacher("ms-ivanova")


@pytest.fixture
def other_teacher(db) -> User:
    """A second teacher, who must not see the first one's things."""
    return _teacher("mr-petrov")


@pytest.fixture
def student(db) -> User:
    """A signed-in student: no staff access."""
    return User.objects.create_user("alex", password=PASSWORD)


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("head", password=PASSWORD)


def _client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def guest_client() -> Client:
    """An anonymous visitor."""
    return Client()


@pytest.fixture
def student_client(student) -> Client:
    return _client_for(student)


@pytest.fixture
def teacher_client(teacher) -> Client:
    return _client_for(teacher)


@pytest.fixture
def other_teacher_client(other_teacher) -> Client:
    return _client_for(other_teacher)


@pytest.fixture
def superuser_client(superuser) -> Client:
    return _client_for(superuser)


@pytest.fixture
def persona_clients(guest_client, student_client, teacher_client, other_teacher_client, superuser_client):
    return {
        "guest": guest_client,
        "student": student_client,
        "teacher": teacher_client,
        "other_teacher": other_teacher_client,
        "superuser": superuser_client,
    }


@pytest.fixture
def commits_now(monkeypatch):
    """Run on-commit callbacks at once: a test's transaction never commits, and live sessions
    publish their new state to the cache only once a change is committed."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def clock():
    """A frozen clock, moved on by hand (`clock.shift(seconds)`)."""
    with time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def capitals(content, teacher):
    """The teacher's own quiz: two single-choice questions, both answered "Moscow" (tests/live_helpers.py)."""
    return short_quiz(teacher, 2)
