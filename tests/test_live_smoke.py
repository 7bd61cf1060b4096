import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import LiveAnswer
from tests.live_helpers import answer, host_action, join, poll, session_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commits_now")]


def test_smoke(content, teacher, teacher_client):
    session = session_start(teacher)
    host = teacher_client.get(reverse("quizzes:session-host", args=[session.public_id]))
    assert host.status_code == 200, host.content
    assert session.code in host.content.decode()
    a, b = Client(), Client()
    pa = join(a, session, "Anna")
    pb = join(b, session, "Boris")
    page = a.get(reverse("quizzes:session-play", args=[session.public_id]))
    assert "You&#x27;re in" in page.content.decode() or "You're in" in page.content.decode(), page.content.decode()
    r = host_action(teacher_client, session, "start")
    assert r.status_code == 200, r.content
    session.refresh_from_db()
    assert session.status == "open" and session.position == 1
    assert poll(a, session, "1").status_code == 200
    assert poll(a, session, str(session.version)).status_code == 204
    page = a.get(reverse("quizzes:session-play", args=[session.public_id]), headers={"HX-Request": "true"})
    assert "Send my answer" in page.content.decode(), page.content.decode()
    r = answer(a, pa, 1)
    assert r.status_code == 200, r.content.decode()
    assert 'id="answer-received"' in r.content.decode()
    r = answer(a, pa, 1, right=False)
    assert LiveAnswer.objects.count() == 1
    r = answer(b, pb, 1, right=False)
    host = teacher_client.get(reverse("quizzes:session-host", args=[session.public_id]))
    assert "2</strong> of 2 answered" in host.content.decode(), host.content.decode()
    host_action(teacher_client, session, "reveal")
    page = a.get(reverse("quizzes:session-play", args=[session.public_id]))
    assert "✓ Right" in page.content.decode()
    host = teacher_client.get(reverse("quizzes:session-host", args=[session.public_id]))
    assert "bar-fill" in host.content.decode()
    host_action(teacher_client, session, "standings")
    host = teacher_client.get(reverse("quizzes:session-host", args=[session.public_id]))
    assert "Leaderboard" in host.content.decode()
    host_action(teacher_client, session, "finish")
    assert poll(a, session, "1").status_code == 286
    page = a.get(reverse("quizzes:session-play", args=[session.public_id]))
    assert "end" in page.content.decode()
    host = teacher_client.get(reverse("quizzes:session-host", args=[session.public_id]))
    assert "podium" in host.content.decode()
    rep = teacher_client.get(reverse("admin:quizzes_livesession_report", args=[session.pk]))
    assert rep.status_code == 200 and "Anna" in rep.content.decode()
    pa.attempt.refresh_from_db()
    assert pa.attempt.finished_at and pa.attempt.score == 1
    start = teacher_client.get(reverse("admin:quizzes_livesession_add") + "?quiz=1")
    assert start.status_code == 200, start.content
    cl = teacher_client.get(reverse("admin:quizzes_livesession_changelist"))
    assert cl.status_code == 200, cl.content
    ch = teacher_client.get(reverse("admin:quizzes_livesession_change", args=[session.pk]))
    assert ch.status_code == 200, ch.content
