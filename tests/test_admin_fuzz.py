"""The teacher's admin answers malformed posts with a form error, a 400 or a redirect, never a
5xx: first the posts an audit found (each a 500 once), then hypothesis over every admin form a
teacher can post to, its fields kept, dropped or replaced by hostile values.

Run with `-s` to see the count of requests, of 5xx answers and the time for each form."""

import os
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from unittest import mock

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import transaction
from django.template.base import Template
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from explainer.models import Article, Fact, GlossaryTerm, Member, TimelineEvent, Topic
from quizzes import live
from quizzes.models import Assignment, Classroom, Enrolment, Quiz
from quizzes.services.questions import questions_save
from tests.conftest import PASSWORD
from tests.live_helpers import short_quiz

# One pytest-xdist worker runs this whole module, so that the counts printed last are all of them.
pytestmark = pytest.mark.xdist_group("admin_fuzz")

BIG = "9" * 20  # an id no database column holds


@pytest.fixture
def world(content, teacher) -> dict:
    """One of everything a teacher works on: their quiz, its question, a class with homework and
    a student, a live session, and the shared reading content."""
    quiz = short_quiz(teacher, 2)
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    student = User.objects.create_user("pupil", password=PASSWORD)
    Enrolment.objects.create(classroom=classroom, student=student)
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz)
    session = live.session_create(quiz=quiz, host=teacher)
    draft = Quiz.objects.create(slug="draft", title="Draft", owner=teacher)
    questions_save(quiz=draft, drafts=[])
    return {
        "quiz": quiz,
        "question": quiz.questions.first(),
        "classroom": classroom,
        "student": student,
        "assignment": assignment,
        "session": session,
        "draft": draft,
        "topic": Topic.objects.get(slug="csto"),
        "fact": Fact.objects.order_by("key").first(),
        "term": GlossaryTerm.objects.order_by("pk").first(),
        "event": TimelineEvent.objects.order_by("pk").first(),
        "member": Member.objects.order_by("pk").first(),
        "article": Article.objects.get(),
    }


# The posts an audit found, each a 500 before


def test_a_fact_that_is_no_id_on_question_add_is_a_form_error(world, teacher_client):
    data = {"quiz": world["draft"].pk, "position": 1, "kind": "single", "stem": "Which?", "fact": "abc"}
    data |= {f"options-{name}": value for name, value in [("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0)]}
    response = teacher_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("field", ["fact", "sentences", "topic"])
def test_a_twenty_digit_id_in_a_question_is_a_form_error(world, teacher_client, field):
    question = world["question"]
    data = {"quiz": question.quiz_id, "position": 1, "kind": "single", "stem": "Which?", field: BIG}
    data |= {"options-TOTAL_FORMS": 0, "options-INITIAL_FORMS": 0}
    response = teacher_client.post(reverse("admin:quizzes_question_change", args=[question.pk]), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_twenty_digit_topic_in_generate_is_a_form_error(world, teacher_client):
    url = reverse("admin:quizzes_quiz_generate", args=[world["draft"].pk])
    response = teacher_client.post(url, {"topics": [BIG], "kinds": ["single"], "count": "3"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not world["draft"].questions.exists()


@pytest.mark.parametrize(
    "query", ["created_at__year=" + "9" * 27, "created_at__year=9999", "created_at__year=2026&created_at__month=" + BIG]
)
def test_an_impossible_year_in_the_live_session_date_filter_goes_back_to_the_list(world, teacher_client, query):
    response = teacher_client.get(reverse("admin:quizzes_livesession_changelist") + "?" + query)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_a_huge_total_forms_on_the_class_form_is_a_quick_form_error(world, teacher_client):
    classroom = world["classroom"]
    data = {"name": "9B", "assignments-TOTAL_FORMS": BIG, "assignments-INITIAL_FORMS": "1"}
    data |= {"enrolments-TOTAL_FORMS": "1", "enrolments-INITIAL_FORMS": "1"}
    built = []
    build = forms.BaseForm.__init__

    def counted(form, *args, **kwargs):
        built.append(form)
        build(form, *args, **kwargs)

    with mock.patch.object(forms.BaseForm, "__init__", counted):
        response = teacher_client.post(reverse("admin:quizzes_classroom_change", args=[classroom.pk]), data)
    assert len(built) < 200  # it built 2,000 forms (13 s) before the cap of 50 new rows
    assert response.status_code == 200
    assert "Please submit at most 51 forms." in response.content.decode()


@pytest.mark.parametrize("ticked", [["abc"], [BIG], ["1", "\x00"]])
def test_an_action_on_rows_that_are_not_ids_is_refused(world, teacher_client, ticked):
    url = reverse("admin:explainer_topic_changelist")
    response = teacher_client.post(url, {"action": "delete_selected", "_selected_action": ticked})
    # Not an id: 400. A number no id has: it matches no row, and the action is asked about none.
    assert response.status_code == (200 if ticked == [BIG] else 400)
    assert Topic.objects.filter(slug="csto").exists()


@pytest.mark.parametrize("spellings", ["5", "[1, 2]", '{"a": 1}'])
def test_a_fact_whose_spellings_are_not_a_list_of_text_is_a_form_error(world, teacher_client, spellings):
    fact = world["fact"]
    url = reverse("admin:explainer_fact_change", args=[fact.pk])
    data = {
        "key": fact.key,
        "kind": fact.kind,
        "statement": fact.statement,
        "answers": '["x"]',
        "accepted_spellings": spellings,
        "distractors": "[]",
        "topics": [topic.pk for topic in fact.topics.all()],
        "status": "confirmed",
    }
    response = teacher_client.post(url, data)
    assert response.status_code == 200
    assert "Give a list of other spellings" in response.content.decode()


# Hypothesis over every form


def _page(name: str, *keys: str, query: str = "") -> Callable[[dict], str]:
    """An admin page by its URL name, about the objects of `world` named by `keys`."""
    return lambda world: reverse(f"admin:{name}", args=[world[key].pk for key in keys]) + query


KEYS = {"topic": "topic", "fact": "fact", "glossaryterm": "term", "timelineevent": "event"}
KEYS |= {"quiz": "draft", "question": "question", "classroom": "classroom", "assignment": "assignment"}
DELETABLE = {**KEYS, "livesession": "session"}


def _app(model: str) -> str:
    return "explainer" if model in {"topic", "fact", "glossaryterm", "timelineevent"} else "quizzes"


# Every admin form a teacher can post, with the pages that show it (an example posts to one of
# them): a model's form on its add and change pages, Django's delete confirmation on every delete
# page, each list's actions, and the custom views.
TARGETS: dict[str, list[tuple[str, Callable[[dict], str]]]] = {
    "password_change": [("password_change", _page("password_change"))],
    "explainer_article": [("explainer_article_change", _page("explainer_article_change", "article"))],
    "explainer_member": [("explainer_member_change", _page("explainer_member_change", "member"))],
    **{
        f"{_app(model)}_{model}": [
            (f"{_app(model)}_{model}_add", _page(f"{_app(model)}_{model}_add")),
            (f"{_app(model)}_{model}_change", _page(f"{_app(model)}_{model}_change", key)),
        ]
        for model, key in KEYS.items()
    },
    **{
        f"{_app(model)}_{model}_changelist": [
            (f"{_app(model)}_{model}_changelist", _page(f"{_app(model)}_{model}_changelist"))
        ]
        for model in DELETABLE
    },
    "delete_confirmation": [
        (f"{_app(model)}_{model}_delete", _page(f"{_app(model)}_{model}_delete", key))
        for model, key in DELETABLE.items()
    ],
    "quizzes_quiz_import": [("quizzes_quiz_import", _page("quizzes_quiz_import"))],
    "quizzes_quiz_generate": [("quizzes_quiz_generate", _page("quizzes_quiz_generate", "draft"))],
    "quizzes_quiz_publish": [("quizzes_quiz_publish", _page("quizzes_quiz_publish", "draft"))],
    "quizzes_quiz_duplicate": [("quizzes_quiz_duplicate", _page("quizzes_quiz_duplicate", "quiz"))],
    "quizzes_quiz_accept_drafts": [("quizzes_quiz_accept_drafts", _page("quizzes_quiz_accept_drafts", "quiz"))],
    "quizzes_livesession_add": [
        (
            "quizzes_livesession_add",
            lambda world: reverse("admin:quizzes_livesession_add") + f"?quiz={world['quiz'].pk}",
        )
    ],
    "quizzes_classroom_student_password": [
        ("quizzes_classroom_student_password", _page("quizzes_classroom_student_password", "classroom", "student"))
    ],
}
PAGES = {name for pages in TARGETS.values() for name, _ in pages}
# Pages that only show: reports, previews, histories, a live session (run from its host view), and
# the lists of the article and the members, where a teacher has no action to take.
READ_ONLY = re.compile(
    r"_(history|report|report_csv|report_attempt|preview)$"
    r"|^(quizzes_livesession_change|explainer_article_changelist|explainer_member_changelist)$"
)
# Pages posted to without a form of their own (a button on another page): their fields.
BUTTONS = {
    "quizzes_quiz_publish": [("status", "published"), ("status", "draft")],
    "quizzes_quiz_duplicate": [],
    "quizzes_quiz_accept_drafts": [("all", "1"), ("question", "1")],
}


class _Forms(HTMLParser):
    """The fields of the page's main post form (not the header's log-out form): each name with its
    value, or each of its options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = found.get("method", "").lower() == "post" and found.get("id") != "logout-form"
        elif not self.inside or not found.get("name"):
            if tag == "option" and self.inside and self.select:
                self.fields.append((self.select, found.get("value") or ""))
        elif tag == "select":
            self.select = found["name"]
        elif tag in {"input", "textarea", "button"}:
            self.fields.append((found["name"], found.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


@pytest.fixture
def read_forms(teacher_client) -> Callable[[str], list[tuple[str, str]]]:
    """The fields of a page's form, read once per test (a fixture lasts all its examples)."""
    fields: dict[str, list[tuple[str, str]]] = {}

    def read(url: str) -> list[tuple[str, str]]:
        if url not in fields:
            parser = _Forms()
            parser.feed(teacher_client.get(url).content.decode())
            fields[url] = parser.fields
        return fields[url]

    return read


HOSTILE = [
    "",
    "0",
    "-1",
    "1",
    BIG,
    "-" + BIG,
    "9" * 27,
    "1e308",
    "NaN",
    "-inf",
    "abc",
    "1.5",
    " 7 ",
    "\u0661\u0662",  # Arabic-Indic digits
    "\x00",
    "on",
    "None",
    "2009-13-45",
    "9999-12-31",
    "9999-12-31 23:59:59",
    "0001-01-01",
    "<script>alert(1)</script>",
    "\u202eevil",
    "a" * 5000,
    "published",
    "review",
    "delete_selected",
]
FORMSET_NAMES = ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]
EXTRA_NAMES = ["_selected_action", "action", "index", "select_across", "post", "apply", "_save", "fact", "quiz"]


def hostile_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))


@st.composite
def posts(draw, fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """A post built from the form's fields: each kept (one of its values), dropped, or given
    hostile values; sometimes more fields, such as a formset's management numbers."""
    choices: dict[str, list[str]] = {}
    for name, value in fields:
        choices.setdefault(name, []).append(value)
    data: dict[str, list[str]] = {}
    for name, values in choices.items():
        match draw(st.sampled_from(["keep", "keep", "keep", "drop", "hostile", "several"])):
            case "keep":
                data[name] = [draw(st.sampled_from(values))]
            case "hostile":
                data[name] = [draw(hostile_values())]
            case "several":
                data[name] = draw(st.lists(st.one_of(st.sampled_from(values), hostile_values()), max_size=4))
    prefixes = sorted({name.split("-")[0] for name in choices if name.endswith("-TOTAL_FORMS")})
    names = EXTRA_NAMES + [f"{prefix}-{suffix}" for prefix in prefixes for suffix in FORMSET_NAMES]
    for name in draw(st.lists(st.sampled_from(names), max_size=3)):
        data[name] = [draw(hostile_values())]
    return data


# Per form: the issue asks for 500 at least. A quicker local run may ask for fewer.
FUZZ_EXAMPLES = int(os.environ.get("ADMIN_FUZZ_EXAMPLES", "500"))
STATS: dict[str, tuple[int, int, float]] = {}


@pytest.fixture
def once_per_page(monkeypatch) -> None:
    """What a page works out the same way whatever is posted, worked out once: the generate
    page's mix of the built-in quizzes (a fifth of a second), and Django's test instrumentation,
    which copies each template's context for assertTemplateUsed, asked by no test here."""
    from quizzes.admin import quizzes as quiz_admin

    mix = quiz_admin.default_quizzes_mix()
    monkeypatch.setattr(quiz_admin, "default_quizzes_mix", lambda: mix)
    monkeypatch.setattr(Template, "_render", lambda self, context: self.nodelist.render(context))


@pytest.mark.parametrize("target", sorted(TARGETS))
@hypothesis_settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # a page renders in milliseconds; the total is measured below
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # every run the same work, so that its time can be compared
)
@given(data=st.data())
def test_no_teacher_post_gets_a_server_error(world, teacher_client, read_forms, once_per_page, target, data):
    name, page = data.draw(st.sampled_from(TARGETS[target]), label="page")
    url = page(world)
    fields = BUTTONS[name] if name in BUTTONS else read_forms(url)
    post = data.draw(posts(fields), label="post")
    started = time.perf_counter()
    with transaction.atomic():  # every example from the same rows
        response = teacher_client.post(url, post)
        transaction.set_rollback(True)
    requests, errors, seconds = STATS.get(target, (0, 0, 0.0))
    STATS[target] = (requests + 1, errors + (response.status_code >= 500), seconds + time.perf_counter() - started)
    assert response.status_code < 500, (target, post)


def test_every_admin_page_a_teacher_can_post_to_is_fuzzed(world, teacher):
    """A new admin page is listed in TARGETS, or read-only, or beyond a teacher's permissions."""
    request = RequestFactory().get("/")
    request.user = teacher
    missing = []
    for model_admin in admin.site._registry.values():
        allowed = {
            "add": model_admin.has_add_permission(request),
            "change": model_admin.has_change_permission(request),
            "delete": model_admin.has_delete_permission(request),
            "changelist": model_admin.has_view_or_change_permission(request),
        }
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            page = (name or "").rsplit("_", 1)[-1]
            listed = not name or name in PAGES or READ_ONLY.search(name)
            if not listed and allowed.get(page, model_admin.has_module_permission(request)):
                missing.append(name)
    assert missing == []


def test_the_fuzz_counts(request):
    """Prints what the fuzz above did (with -s): requests, 5xx answers and seconds per form."""
    if not STATS:
        pytest.skip("run with the fuzz tests")
    for target, (requests, errors, seconds) in sorted(STATS.items()):
        print(f"{target:45} {requests:5} requests {errors} × 5xx {seconds:6.1f} s")
    total = sum(seconds for _, _, seconds in STATS.values())
    print(f"{'total':45} {sum(r for r, _, _ in STATS.values()):5} requests {total:6.1f} s")
    assert not any(errors for _, errors, _ in STATS.values())
