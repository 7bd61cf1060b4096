"""Running live sessions in tests: a teacher's session, students joining, answers as phones post them."""

import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import generation as g
from quizzes import live
from quizzes.models import Attempt, Learner, LiveSession, Participant, Question, Quiz
from quizzes.services.questions import questions_save
from tests.quiz_helpers import HTMX, answer_data


def session_start(teacher, slug: str = "milk-war", *, quiz: Quiz | None = None, **options) -> LiveSession:
    """A session of a built-in quiz (or of `quiz`) in its lobby, hosted by `teacher`."""
    return live.session_create(quiz=quiz or Quiz.objects.get(slug=slug), host=teacher, **options)


def crowd(session: LiveSession, count: int, *, start: int = 0) -> list[Participant]:
    """`count` guests in the session, made in bulk (joining through the view is tested elsewhere)."""
    learners = Learner.objects.bulk_create(Learner() for _ in range(count))
    attempts = Attempt.objects.bulk_create(
        Attempt(quiz=session.quiz, learner=learner, seed=session.seed) for learner in learners
    )
    return Participant.objects.bulk_create(
        Participant(
            session=session,
            learner=learner,
            attempt=attempt,
            nickname=f"P{start + n}",
            nickname_key=f"p{start + n}",
            opened_at=timezone.now(),
        )
        for n, (learner, attempt) in enumerate(zip(learners, attempts, strict=True))
    )


def join(client: Client, session: LiveSession, nickname: str) -> Participant:
    response = client.post(reverse("quizzes:session-join"), {"code": session.code, "nickname": nickname})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("quizzes:session-play", args=[session.public_id])
    return Participant.objects.get(session=session, nickname=nickname)


def questions(session: LiveSession) -> list[Question]:
    return live.session_questions(session)


def answer(
    client: Client, participant: Participant, number: int, *, right: bool = True, htmx: bool = True, headers=None
):
    """Post an answer to question `number` as the participant's phone does."""
    question = questions(participant.session)[number - 1]
    data = {"question": str(number), **answer_data(participant.session.deck(), question, right=right)}
    url = reverse("quizzes:session-answer", args=[participant.session.public_id])
    return client.post(url, data, headers={**(HTMX if htmx else {}), **(headers or {})})


def host_action(client: Client, session: LiveSession, action: str, **data):
    session.refresh_from_db()
    url = reverse("quizzes:session-host-action", args=[session.public_id, action])
    return client.post(url, {"version": str(session.version), **data}, headers=HTMX)


def poll(client: Client, session: LiveSession, seen: str):
    return client.get(reverse("quizzes:session-poll", args=[session.public_id]), {"v": seen}, headers=HTMX)


# Pages and polls, as a phone or the projector asks for them


def play(client: Client, session: LiveSession, *, htmx: bool = False):
    """A student's screen: the whole page, or (as the page refreshes itself) its stage."""
    return client.get(reverse("quizzes:session-play", args=[session.public_id]), headers=HTMX if htmx else {})


def host_page(client: Client, session: LiveSession, *, htmx: bool = False):
    return client.get(reverse("quizzes:session-host", args=[session.public_id]), headers=HTMX if htmx else {})


def host_poll(client: Client, session: LiveSession, seen: str):
    return client.get(reverse("quizzes:session-host-poll", args=[session.public_id]), {"v": seen}, headers=HTMX)


def host_seen(client: Client, session: LiveSession) -> str:
    """The stamp the host's screen polls with, read from the screen itself."""
    page = host_page(client, session, htmx=True).content.decode()
    marker = reverse("quizzes:session-host-poll", args=[session.public_id]) + "?v="
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def next_question(client: Client, participant: Participant, number: int, *, htmx: bool = True):
    """Student-paced: press "Next question" after question `number`."""
    url = reverse("quizzes:session-next", args=[participant.session.public_id])
    return client.post(url, {"question": str(number)}, headers=HTMX if htmx else {})


def join_try(client: Client, code: str, nickname: str | None = None, *, data_ticket: str = "", **extra):
    """Post the join form (with the form's ticket `data_ticket`, if given), whatever comes of it."""
    data = {"code": code} if nickname is None else {"code": code, "nickname": nickname}
    if data_ticket:
        data["ticket"] = data_ticket
    return client.post(reverse("quizzes:session-join"), data, **extra)


def choose(client: Client, participant: Participant, number: int, text: str, /, **data):
    """Answer a choice question by the text of the option chosen (the option's token, as the form sends it)."""
    question = questions(participant.session)[number - 1]
    option = next(option for option in question.options.all() if option.text == text)
    url = reverse("quizzes:session-answer", args=[participant.session.public_id])
    return client.post(
        url, {"question": str(number), "choice": participant.session.deck().token(option), **data}, headers=HTMX
    )


def question_open(client: Client, session: LiveSession, number: int) -> None:
    """Teacher-paced, from the lobby: start, then reveal and go on until question `number` is open."""
    host_action(client, session, "start")
    for _ in range(number - 1):
        host_action(client, session, "reveal")
        host_action(client, session, "next")
    session.refresh_from_db()
    assert (session.status, session.position) == (LiveSession.Status.OPEN, number)


CAPITALS = ["Moscow", "Minsk", "Tashkent", "Astana"]


def short_quiz(owner, count: int = 2) -> Quiz:
    """A teacher's own quiz of `count` single-choice questions, each with the answer "Moscow"
    out of CAPITALS and a source sentence: exact counts and scores are easy to read."""
    quiz = Quiz.objects.create(slug=f"capitals-{uuid.uuid4().hex[:8]}", title="Capitals", owner=owner)
    drafts = [
        g.Draft(
            kind=g.SINGLE,
            stem=f"Capital question {number}: where was the summit?",
            options=tuple(g.DraftOption(text, correct=text == "Moscow") for text in CAPITALS),
            explanation=f"Summit {number} was in Moscow.",
            topic="csto",
            sentences=(5,),
        )
        for number in range(1, count + 1)
    ]
    questions_save(quiz=quiz, drafts=drafts)
    return quiz
