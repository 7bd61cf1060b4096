"""Taking a quiz: the pages, the htmx and plain branches, who may answer, and every answer stored once."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from quizzes import generation as g
from quizzes.models import Attempt, Learner, Question, Quiz, Response
from quizzes.services.answering import answer_submit
from quizzes.services.questions import questions_save
from tests.quiz_helpers import HTMX, answer_data, choice_draft


def start(client: Client, slug: str = "csto") -> Attempt:
    response = client.post(reverse("quizzes:start", args=[slug]))
    assert response.status_code == 302
    return Attempt.objects.get(public_id=response["Location"].split("/")[2])


def question_url(attempt: Attempt, number: int) -> str:
    return reverse("quizzes:question", args=[attempt.public_id, number])


def nth(attempt: Attempt, number: int) -> Question:
    return list(attempt.quiz.questions.prefetch_related("options"))[number - 1]


def make_quiz(slug: str, drafts: list[g.Draft], status: str = Quiz.Status.PUBLISHED) -> Quiz:
    quiz = Quiz.objects.create(slug=slug, title=f"Quiz {slug}", status=status)
    questions_save(quiz=quiz, drafts=drafts)
    return quiz


# The list and the introduction


def test_the_list_shows_each_published_quiz_with_its_topic_and_length(content, guest_client):
    page = guest_client.get(reverse("quizzes:list")).content.decode()
    for quiz in Quiz.objects.published():
        assert escape(quiz.title) in page
    assert "The whole story" in page and "11 questions" in page and "15 questions" in page
    assert "Not taken yet" in page


def test_the_list_shows_the_visitor_s_best_score(content, guest_client):
    attempt = start(guest_client)
    for number, question in enumerate(attempt.quiz.questions.prefetch_related("options"), start=1):
        guest_client.post(question_url(attempt, number), answer_data(attempt, question, right=number <= 4))
    attempt.refresh_from_db()
    assert attempt.score == 4
    page = guest_client.get(reverse("quizzes:list")).content.decode()
    assert "Your best score: <strong>4 of 11</strong>" in page
    assert "Your best score" not in Client().get(reverse("quizzes:list")).content.decode()


def test_drafts_are_neither_listed_nor_open(content, guest_client):
    make_quiz("secret", [choice_draft()], status=Quiz.Status.DRAFT)
    assert "Quiz secret" not in guest_client.get(reverse("quizzes:list")).content.decode()
    assert guest_client.get(reverse("quizzes:detail", args=["secret"])).status_code == 404
    assert guest_client.post(reverse("quizzes:start", args=["secret"])).status_code == 404


def test_the_list_runs_the_same_queries_however_many_quizzes(content, guest_client, django_assert_num_queries):
    start(guest_client)
    with django_assert_num_queries(2) as few:  # the session comes from the cache
        guest_client.get(reverse("quizzes:list"))
    for n in range(10):
        make_quiz(f"extra-{n}", [choice_draft(), choice_draft()])
    with django_assert_num_queries(len(few.captured_queries)):
        guest_client.get(reverse("quizzes:list"))


def test_the_introduction_describes_the_quiz_and_offers_to_start(content, guest_client):
    page = guest_client.get(reverse("quizzes:detail", args=["csto"])).content.decode()
    assert "11 questions, one per screen" in page
    assert "Single choice" in page and "Ordering" in page and "Matching" in page
    assert 'action="/quizzes/csto/start/"' in page and "csrfmiddlewaretoken" in page


# Starting and resuming


def test_starting_makes_a_guest_learner_tied_to_the_browser(content, guest_client):
    attempt = start(guest_client)
    assert attempt.learner.user is None
    assert guest_client.session["learner_id"] == attempt.learner.pk
    assert start(Client()).learner != attempt.learner


def test_a_signed_in_student_s_attempts_belong_to_their_account(content, student, student_client):
    attempt = start(student_client)
    assert attempt.learner == Learner.objects.get(user=student)


def test_a_double_click_on_start_makes_one_attempt(content, guest_client):
    assert start(guest_client) == start(guest_client)
    assert Attempt.objects.count() == 1


def test_the_introduction_offers_to_continue_an_unfinished_attempt(content, guest_client):
    attempt = start(guest_client)
    guest_client.post(question_url(attempt, 1), answer_data(attempt, nth(attempt, 1)))
    page = guest_client.get(reverse("quizzes:detail", args=["csto"])).content.decode()
    assert f'href="/attempts/{attempt.public_id}/"' in page and "Continue where you left off" in page
    assert guest_client.get(attempt.get_absolute_url())["Location"] == question_url(attempt, 2)


# One question per screen, nothing given away


def test_a_question_page_gives_nothing_away(content, guest_client):
    attempt = start(guest_client)
    for number in range(1, 12):
        question = nth(attempt, number)
        page = guest_client.get(question_url(attempt, number)).content.decode()
        assert escape(question.stem) in page
        assert escape(question.explanation) not in page
        assert "correct" not in page.lower()
        # Every value a student can post is an opaque token of this attempt (ordering posts places 1..n).
        values = re.findall(r'name="choices?" value="([^"]*)"', page) + re.findall(r'<option value="([^"]+)"', page)
        options = list(question.options.all())
        tokens = {attempt.token(o) for o in options} | {attempt.token(o, "match") for o in options}
        places = {str(n) for n in range(1, len(options) + 1)}
        assert values or question.kind == "gap_fill"
        assert all(value in tokens or (question.kind == "ordering" and value in places) for value in values), values
        guest_client.post(question_url(attempt, number), answer_data(attempt, question))


def _tokens_numbered(page: str) -> str:
    """Each distinct token replaced by T0, T1… in order of appearance."""
    seen: dict[str, str] = {}
    return re.sub(r"[0-9a-f]{16}", lambda m: seen.setdefault(m.group(0), f"T{len(seen)}"), page)


def test_two_questions_differing_only_in_their_key_render_the_same(content, guest_client):
    first = make_quiz("leak-a", [choice_draft(key=0)])
    second = make_quiz("leak-b", [choice_draft(key=2)])
    pages = []
    for quiz in (first, second):
        attempt = start(guest_client, quiz.slug)
        Attempt.objects.filter(pk=attempt.pk).update(seed=42)
        page = guest_client.get(question_url(attempt, 1)).content.decode()
        page = page.replace(str(attempt.public_id), "ATTEMPT").replace(quiz.slug, "SLUG").replace(quiz.title, "TITLE")
        page = _tokens_numbered(page)
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
        page = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", page)
        page = re.sub(r'nonce="[^"]+"', "NONCE", page)
        pages.append(page)
    assert pages[0] == pages[1]


def test_the_option_order_is_shuffled_per_attempt_and_stable_on_reload(content):
    make_quiz("shuffle", [choice_draft()])

    def labels(client: Client, attempt: Attempt) -> list[str]:
        page = client.get(question_url(attempt, 1)).content.decode()
        return re.findall(r"<label for=\"id_choice_\d\">([^<]+)</label>", page)

    orders = []
    for _ in range(8):
        client = Client()
        attempt = start(client, "shuffle")
        shown = labels(client, attempt)
        assert sorted(shown) == ["Astana", "Minsk", "Moscow", "Tashkent"]
        assert labels(client, attempt) == shown, "a reload keeps the order"
        orders.append(shown)
    # Eight attempts all in one order would happen by chance once in 24**7.
    assert len({tuple(order) for order in orders}) > 1


def test_a_matching_question_shuffles_its_choices_apart_from_its_items(content, guest_client):
    attempt = start(guest_client, "csto")
    question = next(q for q in attempt.quiz.questions.prefetch_related("options") if q.kind == Question.Kind.MATCHING)
    items = list(question.options.all())
    in_step = 0
    for seed in range(20):
        attempt.seed = seed
        in_step += attempt.shuffled(question, items) == attempt.shuffled(question, items, "match")
    assert in_step < 5


# Answering


def test_an_htmx_answer_swaps_in_the_feedback_with_its_source(content, guest_client):
    attempt = start(guest_client)
    question = nth(attempt, 1)
    response = guest_client.post(question_url(attempt, 1), answer_data(attempt, question), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and page.lstrip().startswith('<section id="question-card"')
    assert "✓ Correct" in page and 'aria-live="polite"' in page and "autofocus" in page
    assert "Where this comes from" in page
    sentences = list(question.sentences.all())
    for sentence in sentences:
        assert f'href="/article/#s{sentence.number}"' in page
    if not sentences:
        assert escape(question.source_note) in page
    assert f'hx-get="{question_url(attempt, 2)}"' in page and f'href="{question_url(attempt, 2)}"' in page
    stored = Response.objects.get(attempt=attempt, question=question)
    assert stored.is_correct and stored.answer


def test_a_plain_form_post_redirects_to_the_question_which_then_shows_the_feedback(content, guest_client):
    attempt = start(guest_client)
    question = nth(attempt, 1)
    response = guest_client.post(question_url(attempt, 1), answer_data(attempt, question, right=False))
    assert response.status_code == 302 and response["Location"] == question_url(attempt, 1)
    page = guest_client.get(question_url(attempt, 1)).content.decode()
    assert "<html" in page and "✗ Not quite" in page and "Next question" in page
    assert not Response.objects.get(attempt=attempt).is_correct


def test_next_with_htmx_gets_the_next_card_alone(content, guest_client):
    attempt = start(guest_client)
    guest_client.post(question_url(attempt, 1), answer_data(attempt, nth(attempt, 1)))
    response = guest_client.get(question_url(attempt, 2), headers=HTMX)
    assert "<html" not in response.content.decode() and "Question 2 of 11" in response.content.decode()
    assert "HX-Request" in response["Vary"]
    restore = guest_client.get(question_url(attempt, 2), headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_second_submit_returns_same_fragment_and_stores_one_answer(content, guest_client):
    attempt = start(guest_client)
    data = answer_data(attempt, nth(attempt, 1))
    first = guest_client.post(question_url(attempt, 1), data, headers=HTMX)
    second = guest_client.post(question_url(attempt, 1), data, headers=HTMX)
    assert first.content == second.content
    assert Response.objects.filter(attempt=attempt).count() == 1


def test_an_answer_cannot_be_changed_after_feedback(content, guest_client):
    attempt = start(guest_client)
    question = nth(attempt, 1)
    guest_client.post(question_url(attempt, 1), answer_data(attempt, question, right=False), headers=HTMX)
    again = guest_client.post(question_url(attempt, 1), answer_data(attempt, question, right=True), headers=HTMX)
    assert "your first answer stands" in again.content.decode()
    assert "✗ Not quite" in again.content.decode()
    assert Response.objects.get(attempt=attempt).is_correct is False


def test_a_later_question_waits_for_the_earlier_ones(content, guest_client):
    attempt = start(guest_client)
    response = guest_client.get(question_url(attempt, 5))
    assert response.status_code == 302 and response["Location"] == question_url(attempt, 1)
    response = guest_client.post(question_url(attempt, 5), answer_data(attempt, nth(attempt, 5)))
    assert response["Location"] == question_url(attempt, 1)
    assert not Response.objects.exists()
    assert guest_client.get(question_url(attempt, 12)).status_code == 404


def test_every_type_is_graded_right_and_wrong(content, guest_client):
    for right in (True, False):
        attempt = start(guest_client, "the-whole-story")
        kinds = set()
        for number, question in enumerate(attempt.quiz.questions.prefetch_related("options"), start=1):
            guest_client.post(question_url(attempt, number), answer_data(attempt, question, right=right))
            stored = Response.objects.get(attempt=attempt, question=question)
            assert stored.is_correct is right, (question.kind, question.stem)
            kinds.add(question.kind)
        assert kinds == set(g.KINDS)  # every kind the generator makes (numerical comes from Moodle)
        attempt.refresh_from_db()
        assert attempt.finished_at and attempt.score == (15 if right else 0)


def test_a_typed_answer_is_graded_tolerantly_through_the_page(content, guest_client):
    quiz = make_quiz(
        "typed",
        [
            g.Draft(
                kind=g.GAP_FILL,
                stem="Fill the gap: Belarus's president was _____.",
                options=(),
                explanation="Alexander Lukashenko was president.",
                topic="milk-war",
                sentences=(1,),
                accepted=("Alexander Lukashenko", "Lukashenka", "Lukashenko"),
            )
        ],
    )
    attempt = start(guest_client, quiz.slug)
    page = guest_client.post(question_url(attempt, 1), {"text": "  president LUKASHENKA "}, headers=HTMX)
    assert "✓ Correct" in page.content.decode() and "president LUKASHENKA" in page.content.decode()
    assert Response.objects.get(attempt=attempt).answer == {"text": "president LUKASHENKA"}


# Bad input: a clear error, never a 500, never a stored row


def _bad_inputs(attempt: Attempt, question: Question) -> dict:
    tokens = [attempt.token(option) for option in question.options.all()]
    match question.kind:
        case Question.Kind.SINGLE:
            return {"choice": "0123456789abcdef"}  # a token of no option
        case Question.Kind.TRUE_FALSE:
            return {"choice": str(question.options.first().pk)}  # a database id instead of a token
        case Question.Kind.MULTIPLE:
            return {"choices": [tokens[0], "nope"]}
        case Question.Kind.GAP_FILL:
            return {"text": "x" * 201}
        case Question.Kind.ORDERING:
            return {f"place-{token}": "1" for token in tokens}  # not a permutation
        case _:
            return {f"match-{token}": attempt.token(question.options.first(), "match") for token in tokens}


@pytest.mark.parametrize("htmx", [False, True])
def test_malformed_answers_get_400_with_a_message_and_store_nothing(content, guest_client, htmx):
    attempt = start(guest_client, "the-whole-story")
    seen = set()
    for number, question in enumerate(attempt.quiz.questions.prefetch_related("options"), start=1):
        if question.kind not in seen:
            seen.add(question.kind)
            for data in (_bad_inputs(attempt, question), {}):
                response = guest_client.post(question_url(attempt, number), data, headers=HTMX if htmx else {})
                assert response.status_code == 400, question.kind
                assert 'role="alert"' in response.content.decode()
                assert ("<html" in response.content.decode()) is not htmx
            assert Response.objects.filter(attempt=attempt).count() == number - 1
        guest_client.post(question_url(attempt, number), answer_data(attempt, question))
    assert seen == set(g.KINDS)


def test_the_error_messages_say_what_to_fix(content, guest_client):
    attempt = start(guest_client, "the-whole-story")
    messages = {}
    for number, question in enumerate(attempt.quiz.questions.prefetch_related("options"), start=1):
        page = guest_client.post(question_url(attempt, number), _bad_inputs(attempt, question)).content.decode()
        messages[question.kind] = page
        guest_client.post(question_url(attempt, number), answer_data(attempt, question))
    assert "not one of this question&#x27;s options" in messages["single"]
    assert "under 200 characters" in messages["gap_fill"]
    assert "Give each event a different place" in messages["ordering"]
    assert "Use each answer once" in messages["matching"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(content, guest_client, method):
    attempt = start(guest_client)
    response = getattr(guest_client, method)(question_url(attempt, 1))
    assert response.status_code == 405
    assert response.content.decode() == f"This address does not accept {method.upper()}; it accepts GET, HEAD, POST.\n"
    response = guest_client.get(reverse("quizzes:start", args=["csto"]))
    assert response.status_code == 405 and "it accepts POST" in response.content.decode()


def test_an_answer_without_the_csrf_token_is_refused(content):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("quizzes:detail", args=["csto"]))
    token = page.cookies["csrftoken"].value
    start_response = client.post(reverse("quizzes:start", args=["csto"]), {"csrfmiddlewaretoken": token})
    attempt = Attempt.objects.get(public_id=start_response["Location"].split("/")[2])
    response = client.post(question_url(attempt, 1), answer_data(attempt, nth(attempt, 1)))
    assert response.status_code == 403
    assert not Response.objects.exists()


# Who may see and answer an attempt


def test_nobody_else_can_see_or_answer_an_attempt(content, guest_client, persona_clients):
    attempt = start(guest_client)
    data = answer_data(attempt, nth(attempt, 1))
    for persona, client in persona_clients.items():
        if persona == "guest":
            continue
        for url in (
            attempt.get_absolute_url(),
            question_url(attempt, 1),
            reverse("quizzes:result", args=[attempt.public_id]),
        ):
            assert client.get(url).status_code == 404, (persona, url)
        assert client.post(question_url(attempt, 1), data).status_code == 404, persona
    assert Client().get(question_url(attempt, 1)).status_code == 404
    assert not Response.objects.exists()


def test_a_student_s_attempt_is_theirs_on_any_browser_they_sign_in_on(content, student, student_client):
    attempt = start(student_client)
    other_browser = Client()
    other_browser.force_login(student)
    assert other_browser.get(question_url(attempt, 1)).status_code == 200


# The end


def test_the_result_shows_the_score_and_every_question_with_its_source(content, guest_client):
    attempt = start(guest_client)
    assert (
        guest_client.get(reverse("quizzes:result", args=[attempt.public_id]))["Location"] == attempt.get_absolute_url()
    )
    questions = list(attempt.quiz.questions.prefetch_related("options"))
    for number, question in enumerate(questions, start=1):
        guest_client.post(question_url(attempt, number), answer_data(attempt, question, right=number % 2 == 1))
    last = guest_client.get(question_url(attempt, len(questions))).content.decode()
    assert f'href="/attempts/{attempt.public_id}/result/"' in last and "See your score" in last
    page = guest_client.get(reverse("quizzes:result", args=[attempt.public_id])).content.decode()
    assert "You scored 6 of 11" in page
    assert page.count('class="review-item"') == 11
    assert page.count("✓ You got this right.") == 6 and page.count("✗ You got this wrong.") == 5
    assert "Try this quiz again" in page
    assert guest_client.get(attempt.get_absolute_url())["Location"] == reverse(
        "quizzes:result", args=[attempt.public_id]
    )
    retry = start(guest_client)
    assert retry != attempt


# Query counts do not grow with the quiz


def test_question_and_result_pages_run_the_same_queries_however_long_the_quiz(
    content, guest_client, django_assert_max_num_queries
):
    counts = {}
    for size in (2, 12):
        quiz = make_quiz(f"size-{size}", [choice_draft(stem=f"Q{n}") for n in range(size)])
        attempt = start(guest_client, quiz.slug)
        for number in range(1, size):
            guest_client.post(question_url(attempt, number), answer_data(attempt, nth(attempt, number)))
        with django_assert_max_num_queries(50) as before:
            guest_client.get(question_url(attempt, size))
        with django_assert_max_num_queries(50) as posting:
            guest_client.post(question_url(attempt, size), answer_data(attempt, nth(attempt, size)), headers=HTMX)
        with django_assert_max_num_queries(50) as result:
            guest_client.get(reverse("quizzes:result", args=[attempt.public_id]))
        counts[size] = (len(before.captured_queries), len(posting.captured_queries), len(result.captured_queries))
    assert counts[2] == counts[12], counts


def test_a_race_between_two_submissions_stores_one_response(content, guest_client):
    """Two requests both find no answer yet; the unique constraint lets one in, the other gets its response."""
    attempt = start(guest_client)
    question = nth(attempt, 1)
    data = answer_data(attempt, question)
    first = guest_client.post(question_url(attempt, 1), data, headers=HTMX)
    stored = Response.objects.get(attempt=attempt)
    # The service does not look before it writes (the view has already looked): a second
    # request that looked before the first one stored its answer arrives here exactly like this.
    response, created = answer_submit(attempt=attempt, question=question, answer=stored.answer)
    assert (response, created) == (stored, False)
    assert Response.objects.filter(attempt=attempt).count() == 1
    assert guest_client.post(question_url(attempt, 1), data, headers=HTMX).content == first.content


def test_the_feedback_links_the_explainer_section_that_cites_the_source(content, guest_client):
    attempt = start(guest_client, "milk-war")
    questions = list(attempt.quiz.questions.prefetch_related("options", "sentences").select_related("topic"))
    for number, question in enumerate(questions, start=1):
        page = guest_client.post(question_url(attempt, number), answer_data(attempt, question), headers=HTMX).text
        numbers = [sentence.number for sentence in question.sentences.all()]
        section = question.topic.section_for(numbers) if question.topic else ""
        if section:
            break
    else:
        pytest.fail("no question of the milk-war quiz cites a sentence its explainer cites")
    link = f"{question.topic.get_absolute_url()}#{section}"
    assert f'href="{link}"' in page
    assert f'id="{section}"' in guest_client.get(question.topic.get_absolute_url()).text


def test_an_ordering_question_of_more_than_eight_items_is_asked_and_marked(content, guest_client):
    events = [f"Event {n}" for n in range(1, 12)]
    draft = g.Draft(
        kind=g.ORDERING,
        stem="Put these in order.",
        options=tuple(g.DraftOption(text) for text in events),
        explanation="In order.",
        topic="milk-war",
    )
    make_quiz("long-order", [draft])
    attempt = start(guest_client, "long-order")
    page = guest_client.get(question_url(attempt, 1)).content.decode()
    assert ">9th<" in page and ">11th<" in page
    question = nth(attempt, 1)
    response = guest_client.post(question_url(attempt, 1), answer_data(attempt, question))
    assert response.status_code == 302, response.content.decode()[-3000:]
    feedback = guest_client.get(question_url(attempt, 1)).content.decode()
    assert "✓ Correct" in feedback and feedback.count("in the right place:") == 11


def test_without_javascript_a_changed_second_answer_is_told_the_first_stands(content, guest_client):
    attempt = start(guest_client)
    question = nth(attempt, 1)
    guest_client.post(question_url(attempt, 1), answer_data(attempt, question, right=False))
    again = guest_client.post(question_url(attempt, 1), answer_data(attempt, question, right=True), follow=True)
    page = again.content.decode()
    assert "your first answer stands" in page and "✗ Not quite" in page
    assert Response.objects.get(attempt=attempt).is_correct is False
