"""Every URL the project serves, with who may reach it, checked as each persona.

Adding a URL without listing it here fails `test_every_url_is_listed`. Later apps add
their routes to INVENTORY with the access they need.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from explainer.models import Article, Fact, GlossaryTerm, Member, TimelineEvent, Topic
from explainer.teachers import TEACHER_GROUP
from quizzes import live
from quizzes.models import Assignment, Attempt, Classroom, Enrolment, Learner, LiveSession, Quiz
from quizzes.services.questions import questions_save
from tests.quiz_helpers import choice_draft

PERSONAS = ("guest", "student", "teacher", "other_teacher", "superuser")


def access(guest: int, student: int, teacher: int, other_teacher: int, superuser: int) -> dict[str, int]:
    return dict(zip(PERSONAS, (guest, student, teacher, other_teacher, superuser), strict=True))


PUBLIC = access(200, 200, 200, 200, 200)
# Admin screens of shared content: every teacher may use them; others are sent to log in.
TEACHER = access(302, 302, 200, 200, 200)
# Admin screens a teacher's permissions do not cover: the admin answers 403.
SUPERUSER = access(302, 302, 403, 403, 200)


@dataclass
class Route:
    expected: dict[str, int]
    args: Callable[[], list] = field(default=lambda: [])
    # Admin screens send guests and students to the login page; a few send them elsewhere.
    to_login: bool = True
    login: str = "/admin/login/"


def _pk(model) -> Callable[[], list]:
    return lambda: [model.objects.order_by("pk").first().pk]


def _someone_elses_attempt(*more) -> Callable[[], list]:
    """An attempt of a guest none of the personas is: theirs alone, 404 for everyone else."""

    def args() -> list:
        attempt = Attempt.objects.create(quiz=Quiz.objects.get(slug="csto"), learner=Learner.objects.create())
        return [attempt.public_id, *more]

    return args


NOBODY_ELSE = access(404, 404, 404, 404, 404)
POST_ONLY = access(405, 405, 405, 405, 405)
# Signing up or in again while signed in goes on to the home page.
SIGNED_OUT = access(200, 302, 302, 302, 302)
SIGNED_IN = access(302, 200, 200, 200, 200)


INVENTORY: dict[str, Route] = {
    "healthz": Route(PUBLIC),
    "explainer:home": Route(PUBLIC),
    "explainer:article": Route(PUBLIC),
    "explainer:topic": Route(PUBLIC, args=lambda: ["milk-war"]),
    "explainer:facts": Route(PUBLIC),
    "explainer:glossary": Route(PUBLIC),
    "explainer:timeline": Route(PUBLIC),
    "explainer:map": Route(PUBLIC),
    "quizzes:list": Route(PUBLIC),
    "quizzes:detail": Route(PUBLIC, args=lambda: ["csto"]),
    # Starting an attempt takes a POST.
    "quizzes:start": Route(POST_ONLY, args=lambda: ["csto"]),
    "quizzes:attempt": Route(NOBODY_ELSE, args=_someone_elses_attempt()),
    "quizzes:question": Route(NOBODY_ELSE, args=_someone_elses_attempt(1)),
    "quizzes:result": Route(NOBODY_ELSE, args=_someone_elses_attempt()),
    # Progress and review show the learner of the request, guest or signed in: no id to guess.
    "quizzes:progress": Route(PUBLIC),
    "quizzes:review": Route(PUBLIC),
    "quizzes:review-start": Route(POST_ONLY),
    "quizzes:practice-start": Route(POST_ONLY),
    "accounts:signup": Route(SIGNED_OUT, to_login=False),
    "accounts:login": Route(SIGNED_OUT, to_login=False),
    "accounts:logout": Route(POST_ONLY),
    "accounts:password-change": Route(SIGNED_IN, login="/accounts/login/"),
    "accounts:password-changed": Route(SIGNED_IN, login="/accounts/login/"),
    # A forgotten password: anyone may ask; a made-up link gets the "no longer valid" page.
    "accounts:password-reset": Route(PUBLIC),
    "accounts:password-reset-sent": Route(PUBLIC),
    "accounts:password-reset-confirm": Route(PUBLIC, args=lambda: ["MQ", "made-up-token"]),
    "accounts:password-reset-complete": Route(PUBLIC),
    "admin:index": Route(TEACHER),
    "admin:login": Route(access(200, 200, 302, 302, 302)),
    # Logging out takes a POST; a guest's GET goes back to the admin index.
    "admin:logout": Route(access(302, 302, 405, 405, 405), to_login=False),
    "admin:password_change": Route(TEACHER),
    "admin:password_change_done": Route(TEACHER),
    "admin:jsi18n": Route(TEACHER),
    # Without its query parameters the autocomplete view refuses every caller.
    "admin:autocomplete": Route(access(302, 302, 403, 403, 403)),
    "admin:view_on_site": Route(
        access(302, 302, 302, 302, 302),
        args=lambda: [ContentType.objects.get_for_model(Topic).pk, Topic.objects.get(slug="csto").pk],
    ),
    "admin:app_list": Route(TEACHER, args=lambda: ["explainer"]),
    "admin:auth_user_password_change": Route(SUPERUSER, args=_pk(User)),
}

# Model admin screens: (url prefix, model, the teacher's actions) — see explainer/teachers.py.
MODEL_ADMINS = {
    "auth_group": (Group, ""),
    "auth_user": (User, ""),
    "explainer_article": (Article, "view change"),
    "explainer_topic": (Topic, "view add change delete"),
    "explainer_fact": (Fact, "view add change delete"),
    "explainer_glossaryterm": (GlossaryTerm, "view add change delete"),
    "explainer_timelineevent": (TimelineEvent, "view add change delete"),
    "explainer_member": (Member, "view change"),
}
for prefix, (model, actions) in MODEL_ADMINS.items():
    for suffix, needs, with_pk in [
        ("changelist", "view", False),
        ("add", "add", False),
        ("change", "view", True),
        ("history", "view", True),
        ("delete", "delete", True),
    ]:
        expected = TEACHER if needs in actions.split() else SUPERUSER
        INVENTORY[f"admin:{prefix}_{suffix}"] = Route(expected, args=_pk(model) if with_pk else lambda: [])


def _login_record(model, **fields) -> Callable[[], list]:
    def args() -> list:
        row = model.objects.create(
            username="someone", ip_address="127.0.0.1", user_agent="test", http_accept="*/*", path_info="/", **fields
        )
        return [row.pk]

    return args


# django-axes's records of logins: superusers read them and lift a lockout by deleting its
# attempt; nobody adds one by hand.
for prefix, model, fields in [
    ("axes_accessattempt", AccessAttempt, {"failures_since_start": 1}),
    ("axes_accessfailurelog", AccessFailureLog, {}),
    ("axes_accesslog", AccessLog, {}),
]:
    INVENTORY[f"admin:{prefix}_changelist"] = Route(SUPERUSER)
    INVENTORY[f"admin:{prefix}_add"] = Route(access(302, 302, 403, 403, 403))
    for suffix in ("change", "history", "delete"):
        INVENTORY[f"admin:{prefix}_{suffix}"] = Route(SUPERUSER, args=_login_record(model, **fields))


# Teachers' own things: the owner (ms-ivanova) and superusers reach them; another teacher gets 404.
OWNED = access(302, 302, 200, 404, 200)


def _owner() -> User:
    return User.objects.get(username="ms-ivanova")


def _owned_quiz() -> Quiz:
    quiz = Quiz.objects.create(slug=f"mine-{Quiz.objects.count()}", title="Mine", owner=_owner())
    questions_save(quiz=quiz, drafts=[choice_draft()])
    return quiz


def _owned_assignment() -> Assignment:
    quiz = _owned_quiz()
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=_owner())
    return Assignment.objects.create(classroom=classroom, quiz=quiz)


def _finished_attempt(**fields) -> Attempt:
    return Attempt.objects.create(learner=Learner.objects.create(), finished_at=timezone.now(), score=1, **fields)


OWNED_ROUTES: dict[str, Callable[[], list]] = {
    "quizzes_quiz": lambda: [_owned_quiz().pk],
    "quizzes_question": lambda: [_owned_quiz().questions.get().pk],
    "quizzes_classroom": lambda: [Classroom.objects.create(name="9A", owner=_owner()).pk],
    "quizzes_assignment": lambda: [_owned_assignment().pk],
}
for prefix, args in OWNED_ROUTES.items():
    INVENTORY[f"admin:{prefix}_changelist"] = Route(TEACHER)
    INVENTORY[f"admin:{prefix}_add"] = Route(TEACHER)
    for suffix in ("change", "history", "delete"):
        INVENTORY[f"admin:{prefix}_{suffix}"] = Route(OWNED, args=args)
for name in ("generate", "preview", "report", "report_csv"):
    INVENTORY[f"admin:quizzes_quiz_{name}"] = Route(OWNED, args=OWNED_ROUTES["quizzes_quiz"])
# Publishing, duplicating and accepting drafts take a POST (require_POST, asked before the quiz is looked up).
for name in ("publish", "duplicate", "accept_drafts"):
    INVENTORY[f"admin:quizzes_quiz_{name}"] = Route(access(302, 302, 405, 405, 405), args=OWNED_ROUTES["quizzes_quiz"])
INVENTORY["admin:quizzes_quiz_report_attempt"] = Route(
    OWNED, args=lambda: [(quiz := _owned_quiz()).pk, _finished_attempt(quiz=quiz).public_id]
)
for name in ("report", "report_csv"):
    INVENTORY[f"admin:quizzes_assignment_{name}"] = Route(OWNED, args=OWNED_ROUTES["quizzes_assignment"])
INVENTORY["admin:quizzes_assignment_report_attempt"] = Route(
    OWNED,
    args=lambda: [
        (a := _owned_assignment()).pk,
        _finished_attempt(quiz=a.quiz, assignment=a).public_id,
    ],
)
INVENTORY["admin:quizzes_quiz_import"] = Route(TEACHER)
INVENTORY["quizzes:class-join"] = Route(SIGNED_IN, login="/accounts/login/")


def _enrolled_student() -> list:
    classroom = Classroom.objects.create(name="9C", owner=_owner())
    pupil = User.objects.create_user(f"pupil-{User.objects.count()}")
    Enrolment.objects.create(classroom=classroom, student=pupil)
    return [classroom.pk, pupil.pk]


# A new password for a student of the teacher's own class: 404 for another teacher.
INVENTORY["admin:quizzes_classroom_student_password"] = Route(OWNED, args=_enrolled_student)


# Live sessions: anyone joins with a code; the host's screens are the host's alone.
def _owned_session() -> LiveSession:
    return live.session_create(quiz=Quiz.objects.get(slug="csto"), host=_owner())


def _session_id(*more) -> Callable[[], list]:
    return lambda: [_owned_session().public_id, *more]


INVENTORY["livez"] = Route(PUBLIC)
INVENTORY["quizzes:session-join"] = Route(PUBLIC)
# A GET looks no code up: the same form for any code.
INVENTORY["quizzes:session-join-code"] = Route(PUBLIC, args=lambda: ["ABC346"])
# Nobody has joined: every visitor is sent to the join page, with the code filled in.
INVENTORY["quizzes:session-play"] = Route(access(302, 302, 302, 302, 302), args=_session_id(), to_login=False)
# The poll tells only whether anything changed (204 to anyone); a screen behind the times gets
# the new stage, which only a player has: nobody here has joined, so 404 for everyone.
INVENTORY["quizzes:session-poll"] = Route(access(404, 404, 404, 404, 404), args=_session_id(), to_login=False)
for name in ("session-answer", "session-next"):
    INVENTORY[f"quizzes:{name}"] = Route(POST_ONLY, args=_session_id())
INVENTORY["quizzes:session-host"] = Route(access(302, 404, 200, 404, 200), args=_session_id())
INVENTORY["quizzes:session-host-poll"] = Route(access(404, 404, 200, 404, 200), args=_session_id(), to_login=False)
INVENTORY["quizzes:session-host-action"] = Route(POST_ONLY, args=_session_id("start"))
INVENTORY["quizzes:session-remove"] = Route(POST_ONLY, args=_session_id(1))
INVENTORY["admin:quizzes_livesession_changelist"] = Route(TEACHER)
INVENTORY["admin:quizzes_livesession_add"] = Route(TEACHER)
for name in ("change", "history", "delete", "report", "report_csv"):
    INVENTORY[f"admin:quizzes_livesession_{name}"] = Route(OWNED, args=lambda: [_owned_session().pk])


def _session_attempt() -> list:
    session = _owned_session()
    participant = live.session_join(session=session, learner=Learner.objects.create(), nickname="Sam")
    Attempt.objects.filter(pk=participant.attempt_id).update(finished_at=timezone.now(), score=0)
    return [session.pk, participant.attempt.public_id]


INVENTORY["admin:quizzes_livesession_report_attempt"] = Route(OWNED, args=_session_attempt)


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_listed():
    served = set(_named_routes(get_resolver().url_patterns))
    assert served - set(INVENTORY) == set(), "list new URLs in INVENTORY with who may reach them"
    assert set(INVENTORY) - served == set(), "INVENTORY lists URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(INVENTORY))
def test_each_persona_gets_the_listed_answer(content, persona_clients, name):
    route = INVENTORY[name]
    url = reverse(name, args=route.args())
    for persona, client in persona_clients.items():
        response = client.get(url)
        assert response.status_code == route.expected[persona], f"{persona} GET {url}"
        if response.status_code == 302 and persona in ("guest", "student") and route.to_login:
            assert response["Location"].startswith(route.login), f"{persona} GET {url}"


def test_the_teachers_group_exists_for_the_inventory(db):
    assert Group.objects.filter(name=TEACHER_GROUP).exists()
