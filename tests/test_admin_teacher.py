"""Teachers in the admin: their own quizzes, questions, classes and homework, and nobody else's;
authoring checked per question type; generated drafts with their sources; preview, publish,
duplicate; classes joined by code; reports with item analysis."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from explainer.models import Fact, Topic
from quizzes.models import Assignment, Attempt, Classroom, Enrolment, Learner, Question, Quiz, Response
from quizzes.services.questions import questions_save
from tests.conftest import PASSWORD
from tests.quiz_helpers import answer_data, change_url, choice_draft, draft_quiz_of


@pytest.fixture
def quiz(content, teacher) -> Quiz:
    return draft_quiz_of(teacher)


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# Ownership


def test_a_teacher_lists_their_own_quizzes_and_the_library_but_no_one_else_s(
    quiz, teacher_client, other_teacher_client
):
    mine = teacher_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    theirs = other_teacher_client.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
    assert "Ms Ivanova&#x27;s milk war" in mine and "Ms Ivanova&#x27;s milk war" not in theirs
    for page in (mine, theirs):
        assert "Quiz: The milk war" in page and "Built-in (read-only)" in page


def test_a_built_in_quiz_is_read_only_for_a_teacher(content, teacher_client):
    builtin = Quiz.objects.get(slug="milk-war")
    page = teacher_client.get(change_url(builtin)).content.decode()
    assert 'name="_save"' not in page and "Duplicate into my quizzes" in page
    response = teacher_client.post(change_url(builtin), {"title": "Hacked", "slug": "milk-war"})
    assert response.status_code == 403
    builtin.refresh_from_db()
    assert builtin.title != "Hacked"
    question = builtin.questions.first()
    assert teacher_client.post(change_url(question), {"stem": "Hacked"}).status_code == 403


def test_another_teacher_cannot_change_delete_or_act_on_a_quiz(quiz, other_teacher_client):
    assert other_teacher_client.post(change_url(quiz), {"title": "Mine now"}).status_code == 404
    assert (
        other_teacher_client.post(reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}).status_code
        == 404
    )
    other_teacher_client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": "publish", "_selected_action": [quiz.pk]}
    )
    other_teacher_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "delete_selected", "_selected_action": [quiz.pk], "post": "yes"},
    )
    quiz.refresh_from_db()
    assert quiz.title == "Ms Ivanova's milk war" and quiz.status == Quiz.Status.DRAFT
    question = quiz.questions.get()
    assert other_teacher_client.get(change_url(question)).status_code == 404


def test_foreign_key_choices_offer_only_the_teacher_s_own(quiz, teacher, other_teacher, teacher_client):
    theirs = Quiz.objects.create(slug="petrov", title="Mr Petrov's quiz", owner=other_teacher, status="published")
    Classroom.objects.create(name="Petrov's 10C", owner=other_teacher)
    Classroom.objects.create(name="Ivanova's 9B", owner=teacher)
    question_form = teacher_client.get(reverse("admin:quizzes_question_add")).content.decode()
    assert "Ms Ivanova&#x27;s milk war" in question_form
    assert "Mr Petrov" not in question_form and "Quiz: The milk war" not in question_form
    assignment_form = teacher_client.get(reverse("admin:quizzes_assignment_add")).content.decode()
    assert "Ivanova&#x27;s 9B" in assignment_form and "Petrov&#x27;s 10C" not in assignment_form
    assert "Quiz: The milk war" in assignment_form and theirs.title not in assignment_form


# Authoring


def test_a_teacher_writes_an_ordering_question_by_hand(quiz, teacher_client):
    data = {
        "quiz": quiz.pk,
        "position": 2,
        "kind": "ordering",
        "stem": "Put these in order, earliest first.",
        "accepted_answers": "",
        "rejected_answers": "",
        "explanation": "The loan, the ban, the summit.",
        "source_note": "The timeline.",
        **management("options", 3),
    }
    for index, text in enumerate(["Loan shelved", "Dairy ban", "Summit boycotted"]):
        data |= {f"options-{index}-position": index + 1, f"options-{index}-text": text, f"options-{index}-match": ""}
    response = teacher_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = quiz.questions.get(kind="ordering")
    assert [option.text for option in question.options.all()] == ["Loan shelved", "Dairy ban", "Summit boycotted"]


@pytest.mark.parametrize(
    ("kind", "options", "accepted", "message"),
    [
        ("single", [("A", True), ("B", True)], "", "needs exactly one correct option; it has 2"),
        ("single", [("A", False), ("B", False)], "", "needs exactly one correct option; it has 0"),
        ("true_false", [("True", False), ("False", False)], "", "needs exactly one correct option"),
        ("multiple", [("A", False), ("B", False)], "", "needs at least one correct option"),
        ("single", [("A", True)], "", "at least two options"),
        ("ordering", [("A", False), ("B", False)], "", "An ordering question needs at least three items"),
        ("matching", [("A", False), ("B", False)], "", "A matching question needs at least three items"),
        ("gap_fill", [], "", "needs at least one accepted answer"),
        ("gap_fill", [("A", True)], "Minsk", "has no options"),
    ],
)
def test_each_question_type_is_checked_with_a_message_that_explains(
    quiz, teacher_client, kind, options, accepted, message
):
    data = {
        "quiz": quiz.pk,
        "position": 3,
        "kind": kind,
        "stem": "A question",
        "accepted_answers": accepted,
        "rejected_answers": "",
        "explanation": "Because.",
        **management("options", len(options)),
    }
    for index, (text, correct) in enumerate(options):
        data |= {
            f"options-{index}-position": index + 1,
            f"options-{index}-text": text,
            f"options-{index}-match": "x" if kind == "matching" else "",
        }
        if correct:
            data[f"options-{index}-is_correct"] = "on"
    response = teacher_client.post(reverse("admin:quizzes_question_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert quiz.questions.count() == 1


def test_matching_items_each_need_their_own_answer(quiz, teacher_client):
    data = {
        "quiz": quiz.pk,
        "position": 3,
        "kind": "matching",
        "stem": "Match",
        "accepted_answers": "",
        "rejected_answers": "",
        "explanation": "Because.",
        **management("options", 3),
    }
    for index, (text, match) in enumerate([("A", "1"), ("B", "1"), ("C", "")]):
        data |= {f"options-{index}-position": index + 1, f"options-{index}-text": text, f"options-{index}-match": match}
    page = teacher_client.post(reverse("admin:quizzes_question_add"), data).content.decode()
    assert "Give every matching item the answer it pairs with." in page


def test_questions_are_reordered_with_one_save(quiz, teacher_client):
    questions_save(quiz=quiz, drafts=[choice_draft("Second?"), choice_draft("Third?")])
    questions = list(quiz.questions.order_by("position"))
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": "",
        "topic": "",
        **management("questions", 3, 3),
    }
    for index, (question, position) in enumerate(zip(questions, [3, 1, 2], strict=True)):
        data |= {
            f"questions-{index}-id": question.pk,
            f"questions-{index}-quiz": quiz.pk,
            f"questions-{index}-position": position,
        }
    response = teacher_client.post(change_url(quiz), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [q.stem for q in quiz.questions.order_by("position")] == ["Second?", "Third?", "Where was the summit?"]


# Generating, previewing, publishing, duplicating


def test_generating_adds_drafts_with_their_facts_and_sources(quiz, teacher_client):
    url = reverse("admin:quizzes_quiz_generate", args=[quiz.pk])
    page = teacher_client.get(url).content.decode()
    assert "Generate drafts" in page
    # The built-in plans' mix, as `generate_quizzes --report` prints it.
    assert "What the built-in quizzes test" in page and "tests: understanding " in page and "exact dates: " in page
    milk_war = Topic.objects.get(slug="milk-war")
    response = teacher_client.post(
        url, {"topics": [milk_war.pk], "kinds": ["single", "gap_fill"], "count": 6, "seed": 7}
    )
    assert response.status_code == 302
    drafts = list(quiz.questions.filter(is_draft=True).prefetch_related("sentences"))
    assert len(drafts) == 6
    assert {question.kind for question in drafts} <= {"single", "gap_fill"}
    for question in drafts:
        assert question.fact and "milk-war" in question.fact.topics.values_list("slug", flat=True)
        assert question.sentences.exists() or question.source_note
    # Students see none of them until the teacher accepts one.
    quiz.publish()
    assert "1 question, one per screen" in Client().get(quiz.get_absolute_url()).content.decode()
    page = teacher_client.get(change_url(quiz)).content.decode()
    assert page.count("Fact ") >= 6


def test_generating_refuses_bad_input_with_messages(quiz, teacher_client):
    url = reverse("admin:quizzes_quiz_generate", args=[quiz.pk])
    response = teacher_client.post(url, {"kinds": [], "count": 500})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick at least one question type." in page and "less than or equal to 30" in page
    assert quiz.questions.count() == 1


def test_a_teacher_generates_from_exactly_the_facts_they_pick(quiz, teacher_client):
    facts = list(Fact.objects.filter(key__in=["A26", "A16b", "A02a"]))
    assert len(facts) == 3
    data = {"action": "generate_questions", "_selected_action": [fact.pk for fact in facts]}
    page = teacher_client.post(reverse("admin:explainer_fact_changelist"), data).content.decode()
    assert "Add the questions to" in page and "Ms Ivanova&#x27;s milk war" in page
    data |= {"apply": "1", "quiz": quiz.pk, "kinds": ["single", "true_false", "gap_fill"]}
    teacher_client.post(reverse("admin:explainer_fact_changelist"), data)
    drafts = quiz.questions.filter(is_draft=True)
    assert sorted(drafts.values_list("fact__key", flat=True)) == ["A02a", "A16b", "A26"]
    assert len(set(drafts.values_list("kind", flat=True))) > 1  # the types take turns


def test_the_preview_shows_every_question_and_records_nothing(quiz, teacher_client):
    questions_save(quiz=quiz, drafts=[choice_draft("A draft?")], is_draft=True)
    page = teacher_client.get(reverse("admin:quizzes_quiz_preview", args=[quiz.pk])).content.decode()
    assert "Where was the summit?" in page and "A draft?" in page and "Draft: students do not see" in page
    assert "The answer and its source" in page and "Moscow" in page
    assert not Attempt.objects.exists() and not Response.objects.exists()


def test_publishing_needs_a_question_students_can_see(content, teacher, teacher_client):
    empty = Quiz.objects.create(slug="empty", title="Empty", owner=teacher)
    url = reverse("admin:quizzes_quiz_publish", args=[empty.pk])
    response = teacher_client.post(url, {"status": "published"}, follow=True)
    assert "has no question students can see yet" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Quiz.Status.DRAFT


def test_publish_twice_then_unpublish(quiz, teacher_client, guest_client):
    url = reverse("admin:quizzes_quiz_publish", args=[quiz.pk])
    teacher_client.post(url, {"status": "published"})
    teacher_client.post(url, {"status": "published"})  # a double click publishes once
    assert guest_client.get(quiz.get_absolute_url()).status_code == 200
    teacher_client.post(url, {"status": "draft"})
    assert guest_client.get(quiz.get_absolute_url()).status_code == 404
    assert teacher_client.post(url, {"status": "review"}).status_code == 400


def test_a_quiz_with_a_broken_question_is_not_published(quiz, teacher_client):
    Question.objects.create(quiz=quiz, position=2, kind="single", stem="", explanation="")
    response = teacher_client.post(reverse("admin:quizzes_quiz_publish", args=[quiz.pk]), {"status": "published"})
    assert "Question 2 cannot be asked" in teacher_client.get(response["Location"]).content.decode()
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT


def test_duplicating_a_built_in_quiz_gives_the_teacher_a_draft_copy(content, teacher, teacher_client):
    builtin = Quiz.objects.get(slug="csto")
    response = teacher_client.post(reverse("admin:quizzes_quiz_duplicate", args=[builtin.pk]))
    copy = Quiz.objects.get(owner=teacher)
    assert response["Location"] == change_url(copy)
    assert copy.status == Quiz.Status.DRAFT and copy.title == f"{builtin.title} (copy)"
    originals = list(builtin.questions.prefetch_related("options", "sentences"))
    copies = list(copy.questions.prefetch_related("options", "sentences"))
    assert [(q.kind, q.stem, q.fact_id) for q in copies] == [(q.kind, q.stem, q.fact_id) for q in originals]
    for original, duplicate in zip(originals, copies, strict=True):
        assert [(o.text, o.is_correct, o.match) for o in duplicate.options.all()] == [
            (o.text, o.is_correct, o.match) for o in original.options.all()
        ]
        assert list(duplicate.sentences.all()) == list(original.sentences.all())


# Classes and homework


def test_a_student_joins_a_class_by_code_and_sees_its_homework(quiz, teacher, student, student_client):
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    quiz.publish()
    Assignment.objects.create(classroom=classroom, quiz=quiz, due_at=timezone.now() + timezone.timedelta(days=1))
    url = reverse("quizzes:class-join")
    bad = student_client.post(url, {"code": "NOPE123"})
    assert bad.status_code == 400 and "No class has that code." in bad.content.decode()
    response = student_client.post(url, {"code": classroom.code.lower()}, follow=True)
    assert "You have joined 9B." in response.content.decode()
    assert Enrolment.objects.filter(classroom=classroom, student=student).exists()
    home = student_client.get("/").content.decode()
    assert "Your homework" in home and "Due soon" in home and quiz.title.replace("'", "&#x27;") in home


def test_an_attempt_started_from_homework_counts_toward_it(quiz, teacher, student, student_client):
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    Enrolment.objects.create(classroom=classroom, student=student)
    quiz.publish()
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz)
    response = student_client.post(reverse("quizzes:start", args=[quiz.slug]), {"assignment": assignment.pk})
    attempt = Attempt.objects.get()
    assert attempt.assignment == assignment
    question = quiz.questions.prefetch_related("options").get()
    student_client.post(response["Location"], answer_data(attempt, question))
    assert "Done" in student_client.get("/").content.decode()


def test_homework_of_a_class_the_student_is_not_in_is_refused(quiz, teacher, student_client):
    quiz.publish()
    assignment = Assignment.objects.create(classroom=Classroom.objects.create(name="9B", owner=teacher), quiz=quiz)
    response = student_client.post(reverse("quizzes:start", args=[quiz.slug]), {"assignment": assignment.pk})
    assert response.status_code == 404 and not Attempt.objects.exists()
    assert student_client.post(reverse("quizzes:start", args=[quiz.slug]), {"assignment": "x"}).status_code == 404


def test_joining_needs_an_account(db, guest_client):
    response = guest_client.get(reverse("quizzes:class-join"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# Reports

# User (the session comes from the cache), the assignment with its quiz and class, the questions
# with options and sources, attempts and answers, the unfinished count, the class's students, the admin's chrome.
REPORT_QUERIES = 11
CSV_QUERIES = 7  # the session comes from the cache


def _class_takes(quiz: Quiz, teacher: User, students: int) -> Assignment:
    quiz.publish()
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    assignment = Assignment.objects.create(classroom=classroom, quiz=quiz)
    question = quiz.questions.prefetch_related("options").get()
    key = question.options.get(is_correct=True)
    wrong = question.options.filter(is_correct=False).first()
    for n in range(students):
        user = User.objects.create_user(f"s{n:03}", password=PASSWORD)
        Enrolment.objects.create(classroom=classroom, student=user)
        learner = Learner.objects.create(user=user, display_name=f"Student {n:03}")
        attempt = Attempt.objects.create(
            quiz=quiz, learner=learner, assignment=assignment, finished_at=timezone.now(), score=int(n % 3 == 0)
        )
        chosen = key if n % 3 == 0 else wrong
        Response.objects.create(
            attempt=attempt, question=question, answer={"options": [chosen.pk]}, is_correct=n % 3 == 0
        )
    return assignment


def test_the_report_shows_scores_facility_and_the_options_chosen(quiz, teacher, teacher_client):
    assignment = _class_takes(quiz, teacher, 12)  # enough to judge the question (fewer: test_admin_screens)
    page = teacher_client.get(reverse("admin:quizzes_assignment_report", args=[assignment.pk])).content.decode()
    assert "12 students finished it" in page
    assert "Student 000" in page and "1 of 1" in page
    assert "33%" in page  # facility: 4 of 12 right
    assert "Moscow</strong>: 4 (33%)" in page and "Minsk: 8 (67%)" in page
    assert "was chosen more often than the key" in page


@pytest.mark.parametrize("students", [30, 300])
def test_report_queries_do_not_grow_with_the_class(quiz, teacher, teacher_client, django_assert_num_queries, students):
    assignment = _class_takes(quiz, teacher, students)
    with django_assert_num_queries(REPORT_QUERIES):
        page = teacher_client.get(reverse("admin:quizzes_assignment_report", args=[assignment.pk]))
    assert f"{students} students finished it" in page.content.decode()
    with django_assert_num_queries(CSV_QUERIES):
        csv = teacher_client.get(reverse("admin:quizzes_assignment_report_csv", args=[assignment.pk]))
    assert csv.content.decode().count("\n") == students + 1


def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(quiz, teacher, teacher_client):
    assignment = _class_takes(quiz, teacher, 1)
    Learner.objects.filter(display_name="Student 000").update(display_name='=HYPERLINK("http://127.0.0.1/")')
    response = teacher_client.get(reverse("admin:quizzes_assignment_report_csv", args=[assignment.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert '"\'=HYPERLINK(""http://127.0.0.1/"")"' in body


def test_a_report_of_another_teacher_s_assignment_is_404(quiz, teacher, other_teacher_client):
    assignment = _class_takes(quiz, teacher, 2)
    for name in ("report", "report_csv"):
        url = reverse(f"admin:quizzes_assignment_{name}", args=[assignment.pk])
        assert other_teacher_client.get(url).status_code == 404


def test_a_student_s_answers_question_by_question(quiz, teacher, teacher_client):
    assignment = _class_takes(quiz, teacher, 2)
    attempt = Attempt.objects.filter(assignment=assignment).order_by("pk").last()
    url = reverse("admin:quizzes_assignment_report_attempt", args=[assignment.pk, attempt.public_id])
    page = teacher_client.get(url).content.decode()
    assert "Student 001" in page and "✗ Wrong" in page and "Where was the summit?" in page


# GIFT and Moodle XML in the admin


@pytest.mark.parametrize(("action", "marker"), [("export_gift", "::Q1::"), ("export_moodle_xml", "<quiz>")])
def test_a_teacher_exports_a_built_in_quiz(content, teacher_client, action, marker):
    builtin = Quiz.objects.get(slug="milk-war")
    response = teacher_client.post(
        reverse("admin:quizzes_quiz_changelist"), {"action": action, "_selected_action": [builtin.pk]}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert marker in response.content.decode()
    assert "not part of" in response["X-Export-Notes"]


def test_an_imported_file_becomes_the_teacher_s_draft_quiz(quiz, teacher, teacher_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gift = "// title: Imported milk war\n\n::Q1::Where was the summit?{=Moscow ~Minsk ~Tashkent}\n"
    upload = SimpleUploadedFile("quiz.gift.txt", gift.encode())
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload})
    imported = Quiz.objects.get(title="Imported milk war")
    assert response["Location"] == change_url(imported)
    assert imported.owner == teacher and imported.status == Quiz.Status.DRAFT
    assert imported.questions.get().options.get(is_correct=True).text == "Moscow"


def test_a_malformed_file_imports_nothing_and_says_where(quiz, teacher_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    gift = "::Q1::Fine?{=Yes ~No}\n\n::Q2::Broken{=Moscow ~Minsk\n"
    response = teacher_client.post(
        reverse("admin:quizzes_quiz_import"), {"file": SimpleUploadedFile("bad.txt", gift.encode())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "line 3:" in page
    assert Quiz.objects.filter(owner=quiz.owner).count() == 1
    latin = SimpleUploadedFile("latin.txt", "::Q::Caf\xe9{=a ~b}".encode("latin-1"))
    assert "not UTF-8" in teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": latin}).content.decode()


def test_a_teacher_s_quiz_is_listed_only_to_the_classes_it_is_set_to(quiz, teacher, student, student_client):
    quiz.publish()
    assert quiz.title not in student_client.get(reverse("quizzes:list")).content.decode().replace("&#x27;", "'")
    assert student_client.get(quiz.get_absolute_url()).status_code == 200  # open to anyone with the link
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    Enrolment.objects.create(classroom=classroom, student=student)
    Assignment.objects.create(classroom=classroom, quiz=quiz)
    assert quiz.title in student_client.get(reverse("quizzes:list")).content.decode().replace("&#x27;", "'")


# Edges found in review


def _question_data(question, **changes) -> dict:
    options = list(question.options.all())
    data = {
        "quiz": question.quiz_id,
        "position": question.position,
        "kind": question.kind,
        "stem": question.stem,
        "accepted_answers": "\n".join(question.accepted_answers),
        "rejected_answers": "",
        "explanation": question.explanation,
        "source_note": question.source_note,
        **management("options", len(options), len(options)),
    }
    for index, option in enumerate(options):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-position": option.position,
            f"options-{index}-text": option.text,
            f"options-{index}-match": option.match,
        }
        if option.is_correct:
            data[f"options-{index}-is_correct"] = "on"
    return data | changes


def test_an_answered_question_keeps_its_answers_and_may_change_its_wording(quiz, teacher_client, guest_client):
    quiz.publish()
    from tests.quiz_helpers import quiz_take

    quiz_take(guest_client, quiz.slug)
    question = quiz.questions.prefetch_related("options").get()
    url = change_url(question)
    retyped = teacher_client.post(url, _question_data(question, kind="gap_fill", accepted_answers="Moscow"))
    assert retyped.status_code == 200 and "Students have answered this question" in retyped.content.decode()
    data = _question_data(question)
    data.pop("options-0-is_correct", None)
    data["options-1-is_correct"] = "on"
    rekeyed = teacher_client.post(url, data)
    assert "Students have answered this question" in rekeyed.content.decode()
    reworded = teacher_client.post(url, _question_data(question, stem="Where was the June 2009 summit?"))
    assert reworded.status_code == 302
    question.refresh_from_db()
    assert question.stem == "Where was the June 2009 summit?" and question.options.get(is_correct=True).text == "Moscow"


def test_a_question_is_not_added_through_the_quiz_page(quiz, teacher_client):
    page = teacher_client.get(change_url(quiz)).content.decode()
    assert 'name="questions-MAX_NUM_FORMS" value="0"' in page and "Write a question" in page
    question = quiz.questions.get()
    data = {"title": quiz.title, "slug": quiz.slug, "description": "", "topic": "", **management("questions", 2, 1)}
    data |= {"questions-0-id": question.pk, "questions-0-quiz": quiz.pk, "questions-0-position": 1}
    data |= {"questions-1-quiz": quiz.pk, "questions-1-position": 2}  # an empty row, posted by hand
    teacher_client.post(change_url(quiz), data)
    assert quiz.questions.count() == 1


def test_only_a_published_quiz_is_assigned_and_an_assigned_one_may_be_unpublished(quiz, teacher, teacher_client):
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    data = {"classroom": classroom.pk, "quiz": quiz.pk, "due_at_0": "", "due_at_1": ""}
    refused = teacher_client.post(reverse("admin:quizzes_assignment_add"), data)
    assert "Publish this quiz before you assign it" in refused.content.decode()
    quiz.publish()
    assert teacher_client.post(reverse("admin:quizzes_assignment_add"), data).status_code == 302
    Quiz.objects.filter(pk=quiz.pk).update(status=Quiz.Status.DRAFT)
    assignment = Assignment.objects.get()
    assert teacher_client.post(change_url(assignment), data).status_code == 302


def test_the_assignment_filter_lists_only_the_teacher_s_classes(quiz, teacher, other_teacher, other_teacher_client):
    quiz.publish()
    Assignment.objects.create(classroom=Classroom.objects.create(name="SECRET-IVANOVA", owner=teacher), quiz=quiz)
    page = other_teacher_client.get(reverse("admin:quizzes_assignment_changelist")).content.decode()
    assert "SECRET-IVANOVA" not in page


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "-1", "1.0"])
def test_an_odd_homework_number_is_not_found(quiz, student_client, value):
    quiz.publish()
    assert student_client.post(reverse("quizzes:start", args=[quiz.slug]), {"assignment": value}).status_code == 404


def test_view_on_site_does_not_reveal_another_teacher_s_quiz(quiz, teacher_client, other_teacher_client):
    from django.contrib.contenttypes.models import ContentType

    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Quiz).pk, quiz.pk])
    assert other_teacher_client.get(url).status_code == 404
    assert teacher_client.get(url)["Location"].endswith(quiz.get_absolute_url())
    odd = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Quiz).pk, "not-a-number"])
    assert teacher_client.get(odd).status_code == 404


# The quiz's own report, and the changelist actions


def test_the_quiz_report_shows_every_student_who_took_it(quiz, teacher, teacher_client):
    assignment = _class_takes(quiz, teacher, 3)
    page = teacher_client.get(reverse("admin:quizzes_quiz_report", args=[quiz.pk])).content.decode()
    assert "3 students finished it" in page and "Student 002" in page and "33%" in page
    csv = teacher_client.get(reverse("admin:quizzes_quiz_report_csv", args=[quiz.pk])).content.decode()
    assert csv.count("\n") == 4 and '"Student 000"' in csv
    attempt = Attempt.objects.filter(assignment=assignment).order_by("pk").first()
    url = reverse("admin:quizzes_quiz_report_attempt", args=[quiz.pk, attempt.public_id])
    assert "✓ Right" in teacher_client.get(url).content.decode()


def test_the_changelist_actions_publish_unpublish_and_duplicate(quiz, teacher, teacher_client):
    changelist = reverse("admin:quizzes_quiz_changelist")
    teacher_client.post(changelist, {"action": "publish", "_selected_action": [quiz.pk]})
    assert Quiz.objects.get(pk=quiz.pk).status == Quiz.Status.PUBLISHED
    teacher_client.post(changelist, {"action": "unpublish", "_selected_action": [quiz.pk]})
    assert Quiz.objects.get(pk=quiz.pk).status == Quiz.Status.DRAFT
    builtin = Quiz.objects.get(slug="union-state")
    teacher_client.post(changelist, {"action": "duplicate", "_selected_action": [quiz.pk, builtin.pk]})
    copies = Quiz.objects.filter(owner=teacher).exclude(pk=quiz.pk)
    assert sorted(copy.title for copy in copies) == sorted([f"{quiz.title} (copy)", f"{builtin.title} (copy)"])
    assert all(copy.questions.count() for copy in copies)
    teacher_client.post(changelist, {"action": "publish", "_selected_action": [builtin.pk]})
    assert Quiz.objects.get(pk=builtin.pk).status == Quiz.Status.PUBLISHED  # untouched: it was already


def test_a_moodle_xml_file_imports_through_the_admin(content, teacher, teacher_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quizzes.transfer import quiz_export

    xml, _ = quiz_export(quiz=Quiz.objects.get(slug="csto"), fmt="moodlexml")
    upload = SimpleUploadedFile("csto.xml", xml.encode())
    response = teacher_client.post(reverse("admin:quizzes_quiz_import"), {"file": upload})
    imported = Quiz.objects.get(owner=teacher)
    assert response["Location"] == change_url(imported)
    assert imported.questions.count() == Quiz.objects.get(slug="csto").questions.count()


def test_a_class_page_runs_the_same_queries_with_one_assignment_or_ten(content, teacher, teacher_client):
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    quizzes = [
        Quiz.objects.create(slug=f"q{n}", title=f"Quiz {n}", owner=teacher, status="published") for n in range(10)
    ]
    Assignment.objects.create(classroom=classroom, quiz=quizzes[0])
    teacher_client.get(change_url(classroom))  # warms Django's content-type cache
    with CaptureQueriesContext(connection) as one:
        assert teacher_client.get(change_url(classroom)).status_code == 200
    Assignment.objects.bulk_create(Assignment(classroom=classroom, quiz=quiz) for quiz in quizzes[1:])
    with CaptureQueriesContext(connection) as ten:
        page = teacher_client.get(change_url(classroom)).content.decode()
    assert page.count("/report/") >= 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_view_on_site_answers_only_for_what_the_admin_shows(quiz, teacher_client):
    from django.contrib.contenttypes.models import ContentType

    attempt = Attempt.objects.create(quiz=quiz, learner=Learner.objects.create())
    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Attempt).pk, attempt.pk])
    assert teacher_client.get(url).status_code == 404
