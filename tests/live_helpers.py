"""Running live sessions in tests: a teacher's session, students joining, answers as phones post them."""

from django.test import Client
from django.urls import reverse

from quizzes import live
from quizzes.models import LiveSession, Participant, Question, Quiz
from tests.quiz_helpers import HTMX, answer_data


def session_start(teacher, slug: str = "milk-war", **options) -> LiveSession:
    """A session of a built-in quiz in its lobby, hosted by `teacher`."""
    return live.session_create(quiz=Quiz.objects.get(slug=slug), host=teacher, **options)


def join(client: Client, session: LiveSession, nickname: str) -> Participant:
    response = client.post(reverse("quizzes:session-join"), {"code": session.code, "nickname": nickname})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("quizzes:session-play", args=[session.public_id])
    return Participant.objects.get(session=session, nickname=nickname)


def questions(session: LiveSession) -> list[Question]:
    return live.session_questions(session)


def answer(client: Client, participant: Participant, number: int, *, right: bool = True, htmx: bool = True):
    """Post an answer to question `number` as the participant's phone does."""
    question = questions(participant.session)[number - 1]
    data = {"question": str(number), **answer_data(participant.attempt, question, right=right)}
    url = reverse("quizzes:session-answer", args=[participant.session.public_id])
    return client.post(url, data, headers=HTMX if htmx else {})


def host_action(client: Client, session: LiveSession, action: str, **data):
    session.refresh_from_db()
    url = reverse("quizzes:session-host-action", args=[session.public_id, action])
    return client.post(url, {"version": str(session.version), **data}, headers=HTMX)


def poll(client: Client, session: LiveSession, seen: str):
    return client.get(reverse("quizzes:session-poll", args=[session.public_id]), {"v": seen}, headers=HTMX)
