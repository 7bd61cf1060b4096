"""Live sessions at hall scale: one shared screen per version, answers as a thin append, scoring in bulk.

What a phone costs the server must not grow with the class, and doing the work in bulk must
give exactly what answering one by one gives (points, progress, review cards).
"""

import re
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import fsrs
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.models import Fact
from quizzes import live
from quizzes.live import cache as live_cache
from quizzes.live import scoring as live_scoring
from quizzes.models import Attempt, Learner, LiveAnswer, LiveSession, Participant, Response, ReviewCard
from quizzes.models import learners as learner_models
from quizzes.services.answering import answer_submit, fact_reviewable
from tests.live_helpers import choose, crowd, host_action, host_page, join, play, poll, questions, session_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_now")]


def _text(response) -> str:
    return response.content.decode()


def _without_me(page: str) -> str:
    """A stage without the player's own line (the element #me): what every player must see alike."""
    start = page.index('<div id="me"')
    depth = 0
    for tag in re.finditer(r"<(/?)div\b[^>]*>", page[start:]):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return page[:start] + page[start + tag.end() :]
    raise AssertionError("#me is not closed")


def everyone_answers(session: LiveSession, players: list[Participant], number: int) -> None:
    session.refresh_from_db()
    question = questions(session)[number - 1]
    options = list(question.options.all())
    for n, player in enumerate(players):
        player.session = session
        live.answer_give(
            participant=player, question=question, number=number, answer={"options": [options[n % len(options)].pk]}
        )


# One screen for the whole class


@pytest.fixture
def open_question(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, timer=20, shuffle=True)
    phones = [Client(), Client()]
    players = [join(phone, session, name) for phone, name in zip(phones, ["Anna", "Boris"], strict=True)]
    host_action(teacher_client, session, "start")
    session.refresh_from_db()
    return session, phones, players


def test_two_players_get_the_same_stage_but_for_their_own_line(open_question):
    session, phones, _ = open_question
    pages = [_text(play(phone, session, htmx=True)) for phone in phones]
    assert "Anna" in pages[0] and "Boris" in pages[1]
    assert _without_me(pages[0]) == _without_me(pages[1])
    assert "data-answer-form" in pages[0]


def test_the_open_question_s_markup_gives_no_option_away(open_question):
    session, phones, _ = open_question
    page = _text(play(phones[0], session, htmx=True))
    question = questions(session)[0]
    items = re.findall(r'<li class="choice tile tile--\w+">.*?</li>', page, re.DOTALL)
    assert len(items) == 4
    deck = session.deck()
    # Take away each option's token, text and marker: every option's markup is then the same,
    # so nothing in it tells the key from the others.
    for option in question.options.all():
        token = deck.token(option)
        assert str(option.pk) not in token
        items = [item.replace(token, "TOKEN").replace(option.text, "TEXT") for item in items]
    items = [re.sub(r"tile--\w+|id_choice_\d|(?<=>)[A-Z▲◆●■★⬟](?=<)", "", item) for item in items]
    assert len(set(items)) == 1
    assert "is-key" not in page and "correct answer" not in page


def test_the_projector_and_every_phone_show_one_order_with_the_same_markers(open_question, teacher_client):
    session, phones, _ = open_question
    tile = re.compile(
        r'class="(?:choice )?tile tile--(\w+)">.*?class="marker-letter">(\w)</span>.*?(Moscow|Minsk|Tashkent|Astana)',
        re.DOTALL,
    )
    projector = tile.findall(_text(host_page(teacher_client, session)))
    assert len(projector) == 4
    for phone in phones:
        assert tile.findall(_text(play(phone, session))) == projector
    assert [letter for _, letter, _ in projector] == ["A", "B", "C", "D"]
    assert [text for _, _, text in projector] == [tile.text for tile in live.tiles(session, questions(session)[0])]


def test_a_tap_on_a_tile_stores_the_option_it_names(open_question):
    session, phones, players = open_question
    chosen = live.tiles(session, questions(session)[0])[2]  # the third tile, "C" in the room
    choose(phones[0], players[0], 1, chosen.text)
    assert LiveAnswer.objects.get().answer == {"options": [chosen.option_id]}
    page = _text(play(phones[0], session, htmx=True))
    assert f"You answered <strong>C</strong> ({chosen.text})" in page


def test_the_shared_screen_is_rendered_once_and_served_from_the_cache(open_question):
    session, phones, _ = open_question
    play(phones[0], session, htmx=True)
    key = f"{session.stamp_key}:screen:ask:1:{session.version}"
    assert "data-answer-form" in cache.get(key)
    cache.set(key, "<p>from the cache</p>")
    live_cache._read.clear()  # what this process kept of it
    assert "<p>from the cache</p>" in _text(play(phones[1], session, htmx=True))
    assert "<p>from the cache</p>" in _text(poll(phones[1], session, "1"))
    # The whole page (first load, no JavaScript) is rendered afresh, with its CSRF field.
    page = _text(play(phones[1], session))
    assert "from the cache" not in page and 'name="csrfmiddlewaretoken"' in page


def test_without_shuffling_the_author_s_order_is_kept_everywhere(capitals, teacher, teacher_client):
    session = session_start(teacher, quiz=capitals, shuffle=False)
    phone = Client()
    join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    page = _text(play(phone, session))
    shown = re.findall(r"(Moscow|Minsk|Tashkent|Astana)</span></button>", page)
    assert shown == ["Moscow", "Minsk", "Tashkent", "Astana"]


# What a phone costs


@contextmanager
def statements(count: int):
    """Exactly `count` SQL statements, not counting savepoints: the test's own transaction makes
    the INSERT of an answer take one (in production the INSERT is its own transaction)."""
    with CaptureQueriesContext(connection) as context:
        yield
    run = [query["sql"] for query in context.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(run) == count, "\n\n".join(run)


@pytest.mark.parametrize("others", [3, 30])
def test_a_guest_s_answer_is_one_insert_and_a_changed_poll_one_read(open_question, teacher_client, others):
    session, phones, players = open_question
    crowd(session, others)
    assert players[0].session  # read here for the test's helper, not counted below
    play(phones[1], session, htmx=True)  # the session's row and shared screen, once for this version
    # The browser's session (read through the cache) names the player; the live session's row
    # and the question come from the cache: the INSERT is all.
    with statements(1):
        assert 'id="answer-received"' in _text(choose(phones[0], players[0], 1, "Moscow"))
    host_action(teacher_client, session, "reveal")
    play(phones[1], session, htmx=True)
    with statements(1):  # their answer
        changed = poll(phones[0], session, "1")
    assert changed.status_code == 200 and "✓ Right" in _text(changed)
    session.refresh_from_db()
    with statements(0):
        assert poll(phones[0], session, str(session.version)).status_code == 204


def test_a_signed_in_student_s_answer_is_one_insert(capitals, teacher, teacher_client, student_client):
    session = session_start(teacher, quiz=capitals)
    assert student_client.post(reverse("quizzes:session-join"), {"code": session.code}).status_code == 302
    alex = Participant.objects.get(session=session, learner__user__isnull=False)
    crowd(session, 30)
    host_action(teacher_client, session, "start")
    play(student_client, session, htmx=True)
    assert alex.session  # read here for the test's helper, not counted below
    with statements(1):  # their browser's session names the player: not even their user is read
        assert 'id="answer-received"' in _text(choose(student_client, alex, 1, "Moscow"))


def test_student_paced_a_player_s_row_is_read_for_their_own_clock(capitals, teacher, student_client):
    session = session_start(teacher, quiz=capitals, pacing="student", timer=30)
    assert student_client.post(reverse("quizzes:session-join"), {"code": session.code}).status_code == 302
    alex = Participant.objects.get(session=session, learner__user__isnull=False)
    crowd(session, 30)
    first = Client()
    anna = join(first, session, "Anna")
    session.start()
    play(student_client, session, htmx=True)
    choose(first, anna, 1, "Moscow")  # the screen with the key, rendered once for everyone after her
    assert alex.session
    with statements(3):  # their user, their row (their question and clock), the INSERT
        assert "✓ Right" in _text(choose(student_client, alex, 1, "Moscow"))


def _queries(function, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(**kwargs)
    return len(queries)


def test_closing_revealing_and_finishing_cost_the_same_for_30_or_300_players(capitals, teacher):
    costs = []
    for size in (30, 300):
        session = session_start(teacher, quiz=capitals)
        players = crowd(session, size)
        session.start()
        everyone_answers(session, players, 1)
        close = _queries(live.host_act, session=session, action="close")
        reveal = _queries(live.host_act, session=session, action="reveal")
        live.host_act(session=session, action="next")
        everyone_answers(session, players, 2)
        finish = _queries(live.host_act, session=session, action="finish")
        assert Response.objects.filter(attempt__participant__session=session).count() == 2 * size
        costs.append((close, reveal, finish))
    assert costs[0] == costs[1]


# Scoring in bulk


@pytest.fixture
def on_facts(capitals):
    """The capitals quiz with each question on a fact that schedules reviews."""
    facts = [fact for fact in Fact.objects.order_by("key") if fact_reviewable(fact)][:2]
    for question, fact in zip(capitals.questions.order_by("position"), facts, strict=True):
        question.fact = fact
        question.save(update_fields=["fact"])
    return capitals


def test_answers_become_progress_when_the_question_closes_not_before(on_facts, teacher, teacher_client):
    session = session_start(teacher, quiz=on_facts)
    phone = Client()
    anna = join(phone, session, "Anna")
    host_action(teacher_client, session, "start")
    choose(phone, anna, 1, "Moscow")
    assert not Response.objects.exists() and not ReviewCard.objects.exists()
    host_action(teacher_client, session, "close")
    (response,) = Response.objects.all()
    assert (response.attempt, response.is_correct) == (anna.attempt, True)
    assert response.created_at == LiveAnswer.objects.get().created_at  # the answer's own time
    assert ReviewCard.objects.get().learner == anna.learner


def test_a_scoring_killed_half_way_is_completed_by_the_next_step_and_counts_once(on_facts, teacher, teacher_client):
    session = session_start(teacher, quiz=on_facts)
    players = crowd(session, 5)
    session.start()
    everyone_answers(session, players, 1)
    killed = mock.patch.object(live_scoring, "_cards_record", side_effect=RuntimeError("worker killed"))
    with killed, pytest.raises(RuntimeError):
        live.host_act(session=session, action="reveal")
    session.refresh_from_db()
    assert session.status == LiveSession.Status.REVEALED
    assert not Response.objects.exists() and LiveAnswer.objects.filter(response__isnull=True).count() == 5
    host_page(teacher_client, session)  # the host's screen completes it
    assert Response.objects.count() == 5 and not LiveAnswer.objects.filter(response__isnull=True).exists()
    cards = {card.learner_id: card.reps for card in ReviewCard.objects.all()}
    live.host_act(session=session, action="finish")
    assert Response.objects.count() == 5
    assert (
        {card.learner_id: card.reps for card in ReviewCard.objects.all()}
        == cards
        == {player.learner_id: 1 for player in players}
    )


def test_an_answer_within_the_grace_after_the_reveal_is_scored_once(capitals, teacher, teacher_client, clock):
    session = session_start(teacher, quiz=capitals, timer=20)
    phones = {name: Client() for name in ["Anna", "Boris"]}
    players = {name: join(phone, session, name) for name, phone in phones.items()}
    host_action(teacher_client, session, "start")
    choose(phones["Anna"], players["Anna"], 1, "Moscow")
    clock.shift(20.5)
    host_action(teacher_client, session, "reveal")
    assert Response.objects.count() == 1
    clock.shift(1)  # 21.5 s: sent before the time ran out, still on the wire
    assert choose(phones["Boris"], players["Boris"], 1, "Moscow").status_code == 200
    host_page(teacher_client, session)
    host_action(teacher_client, session, "next")
    host_action(teacher_client, session, "reveal")
    host_action(teacher_client, session, "next")
    assert Response.objects.filter(question=questions(session)[0]).count() == 2
    assert [row.right for row in live.standings(session)] == [1, 1]
    players["Boris"].attempt.refresh_from_db()
    assert players["Boris"].attempt.score == 1


def test_student_paced_answers_are_scored_as_the_player_moves_on(capitals, teacher):
    session = session_start(teacher, quiz=capitals, pacing="student")
    (anna, boris) = crowd(session, 2)
    session.start()
    everyone_answers(session, [anna, boris], 1)
    anna.refresh_from_db()
    assert live.participant_advance(participant=anna, number=1, answered=True)
    assert list(Response.objects.values_list("attempt", flat=True)) == [anna.attempt_id]
    live.host_act(session=session, action="finish")
    assert Response.objects.count() == 2


NO_FUZZ = fsrs.Scheduler(
    learning_steps=learner_models.SCHEDULER.learning_steps,
    relearning_steps=learner_models.SCHEDULER.relearning_steps,
    enable_fuzzing=False,
)

answers_strategy = st.lists(  # per player, per question: no answer, right or wrong, and after how many seconds
    st.lists(st.one_of(st.none(), st.tuples(st.booleans(), st.integers(0, 19))), min_size=3, max_size=3),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=answers_strategy,
    scoring=st.sampled_from(["accuracy", "speed"]),
    at_once=st.booleans(),
    one_fact=st.booleans(),
)
def test_bulk_scoring_gives_what_answering_one_by_one_gives(content, teacher, table, scoring, at_once, one_fact):
    """Scored question by question (teacher-paced) or all at once (student-paced, at the end);
    with `one_fact`, the three questions ask the same fact, so a card moves several times in one go."""
    with transaction.atomic(), mock.patch.object(learner_models, "SCHEDULER", NO_FUZZ):
        session = session_start(teacher, "milk-war", timer=20, scoring=scoring)
        asked = [(n, q) for n, q in enumerate(questions(session), start=1) if q.kind in live.CHOICE_KINDS][:3]
        if one_fact:  # in the database, which scoring reads, and in the questions answer_submit is given
            for _, question in asked:
                question.fact = asked[0][1].fact
                question.save(update_fields=["fact"])
        players = crowd(session, len(table))
        solo = [Attempt.objects.create(quiz=session.quiz, learner=Learner.objects.create()) for _ in table]
        start = timezone.now()
        expected_points = {player.pk: 0 for player in players}
        # The live session, question by question, with each question scored in bulk as it closes.
        for column, (number, question) in enumerate(asked):
            session.refresh_from_db()
            LiveSession.objects.filter(pk=session.pk).update(status="open", position=number, opened_at=start)
            session.refresh_from_db()
            key = [option.pk for option in question.options.all() if option.is_correct]
            wrong = [option.pk for option in question.options.all() if not option.is_correct]
            for player, row in zip(players, table, strict=True):
                if row[column] is None:
                    continue
                right, seconds = row[column]
                answer = _answer(question, right, key, wrong)
                player.session = session
                with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
                    given = live.answer_give(participant=player, question=question, number=number, answer=answer)
                expected_points[player.pk] += live.points_for(
                    correct=given.is_correct, scoring=scoring, elapsed=timedelta(seconds=seconds), limit=20
                )
            if not at_once:
                live.answers_score(session=session)
            start += timedelta(minutes=30)
        live.answers_score(session=session)
        # The same answers given one by one, in the same order, by learners of their own.
        start -= timedelta(minutes=30 * len(asked))
        for column, (_, question) in enumerate(asked):
            key = [option.pk for option in question.options.all() if option.is_correct]
            wrong = [option.pk for option in question.options.all() if not option.is_correct]
            order = sorted((row[column][1], index) for index, row in enumerate(table) if row[column] is not None)
            for seconds, index in order:
                right = table[index][column][0]
                with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
                    answer_submit(attempt=solo[index], question=question, answer=_answer(question, right, key, wrong))
            start += timedelta(minutes=30)

        points = {row.participant_id: row.points for row in live.standings(session)}
        assert points == expected_points
        for player, attempt in zip(players, solo, strict=True):
            assert _responses(player.attempt) == _responses(attempt)
            assert _cards(player.learner) == _cards(attempt.learner)
        transaction.set_rollback(True)


def _answer(question, right: bool, key: list[int], wrong: list[int]) -> dict:
    if question.kind == "multiple":
        return {"options": sorted(key if right else key[:1] + wrong[:1])}
    return {"options": [key[0] if right else wrong[0]]}


def _responses(attempt: Attempt) -> list:
    return list(
        attempt.responses.order_by("question_id").values_list("question_id", "answer", "is_correct", "created_at")
    )


def _cards(learner: Learner) -> list:
    fields = ["fact_id", "last_kind", *ReviewCard.SCHEDULE_FIELDS]
    return list(ReviewCard.objects.filter(learner=learner).order_by("fact_id").values_list(*fields))
