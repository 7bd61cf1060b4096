"""Live sessions on screen: students join and play on their phones; the teacher hosts on the projector.

Student pages find the participant through the browser's session (the learner it names), never
through the form. Both sides poll a stamp that changes with every step of the session: a
student's poll answers 204 when nothing changed (from the cache alone), and otherwise the new
stage itself; the host's poll answers 204 or 200 with the event `live-changed`, on which the
projector fetches its stage afresh.
"""

import math
import uuid
from datetime import datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, reswap, trigger_client_event

from config.middleware import client_ip
from quizzes import live
from quizzes.answers import answer_rows, section_url, with_sources
from quizzes.forms import NICKNAME_LENGTH, AnswerForm, SessionJoinForm
from quizzes.models import LiveSession, Participant
from quizzes.services.learners import LEARNER_SESSION_KEY, learner_for
from quizzes.views.pages import page_or_partial

CHANGED = "live-changed"


def _number(value: str, digits: int = 4) -> int:
    """A small whole number posted by a form, or -1: "²", "1.0" and 5,000 digits are not numbers here."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= digits else -1


# Joining


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def session_join(request: HttpRequest, code: str = "") -> HttpResponse:
    """The join form. A GET looks nothing up (the code is checked only on POST, where wrong
    guesses are counted), so the address of a QR code gives nothing away. A right code is never
    refused; a network that has tried too many wrong ones must send the form's ticket (see
    quizzes.live: FAILED_JOIN_ADDRESS_LIMIT)."""
    signed_in = request.user.is_authenticated
    if request.method != "POST":
        return _join_form(request, SessionJoinForm(initial={"code": code}, signed_in=signed_in), code)
    ip = client_ip(request)
    form = SessionJoinForm(request.POST, signed_in=signed_in)
    if not form.is_valid():
        return _join_form(request, form, code, status=400)
    nonce = live.ticket_nonce(request.POST.get("ticket", ""))
    if nonce is None and live.join_crowded(ip):
        form.add_error(None, live.TOO_MANY_TRIES)
        return _join_form(request, form, code, status=429)
    try:
        session = live.session_find(form.cleaned_data["code"])
    except live.RefusedError as refused:
        browser = live.browser_key(request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""))
        over = live.join_failed(ip, browser, nonce or "")
        form.add_error("code", live.TOO_MANY_TRIES if over else str(refused))
        return _join_form(request, form, code, status=429 if over else 400)
    # Only now, with a session found: a wrong guess leaves no learner behind.
    learner = learner_for(request, create=True)
    nickname = learner.name[:NICKNAME_LENGTH] if signed_in else form.cleaned_data["nickname"]
    try:
        player = live.session_join(session=session, learner=learner, nickname=nickname, numbered=signed_in)
    except live.RefusedError as refused:
        form.add_error(None, str(refused))
        return _join_form(request, form, code, status=400)
    request.session.cycle_key()  # a new key for a new role: no fixation from a shared device
    _player_remember(request, player)
    return redirect("quizzes:session-play", session.public_id)


def _join_form(request: HttpRequest, form: SessionJoinForm, code: str, status: int = 200) -> HttpResponse:
    context = {"form": form, "code": code, "ticket": live.join_ticket()}
    return render(request, "quizzes/session_join.html", context, status=status)


# Playing
#
# A student's stage is two parts: their own line (`me`: nickname, the answer they sent, right
# or wrong, their points and place, the countdown), rendered for them from one or two indexed
# reads; and the screen itself (the question, the form, the key), the same for every player at
# this version of the session, so an htmx request gets it rendered once for everyone from the
# shared cache. The full page (first load, no JavaScript) renders both afresh, with the CSRF
# field in its forms; htmx sends the token in a header (base.html), so the shared screen needs none.


PLAYERS = "live-players"  # in the browser's session: {session's public id: [participant id, nickname]}


def _player_remember(request: HttpRequest, player: Participant) -> None:
    """The browser's session remembers whom it plays as, so that its requests need not look."""
    players = request.session.get(PLAYERS, {})
    players[str(player.session.public_id)] = [player.pk, player.nickname]
    request.session[PLAYERS] = players


def _participant(request: HttpRequest, public_id: uuid.UUID) -> Participant:
    """The asker's participant in the session, with the session as its players see it now (from
    the shared cache, once per version); 404 for anyone who has not joined it.

    Teacher-paced, the browser's session (itself read through the cache) names the player
    since they joined, and the session's removed players are known per version: no query.
    Otherwise (student-paced, where the player's own clock is needed, or a browser that joined
    another way) one query finds them by their learner."""
    session = live.session_read(public_id)
    if session is None:
        raise Http404("No such session.")
    known = request.session.get(PLAYERS, {}).get(str(public_id))
    if known is not None and session.is_teacher_paced:
        pk, nickname = known
        return Participant(pk=pk, session=session, nickname=nickname, removed=pk in live.removed(session))
    players = Participant.objects.filter(session_id=session.pk)
    if request.user.is_authenticated:
        players = players.filter(learner__user=request.user)
    else:
        # A guest's learner is named by their session: its id is enough, no need to read the row.
        learner_id = request.session.get(LEARNER_SESSION_KEY)
        if learner_id is None:
            raise Http404("You have not joined this session.")
        players = players.filter(learner_id=learner_id, learner__user=None)
    participant = players.first()
    if participant is None:
        raise Http404("You have not joined this session.")
    participant.session = session
    return participant


def _screen_context(session: LiveSession, screen: live.Screen, total: int, form: AnswerForm | None = None) -> dict:
    """What the screen itself shows: nothing of any one player's, so it can be shared."""
    question = screen.question
    context = {"session": session, "screen": screen.name, "number": screen.number, "total": total}
    if question is None:
        return context
    context["question"] = question
    tiles = live.tiles(session, question)
    if screen.name == "ask":
        form = form or AnswerForm(attempt=session.deck(), question=question)
        context["form"] = form
        if tiles:  # the choices as tiles: each input with the marker the projector shows
            context["choices"] = list(zip(next(iter(form)), tiles, strict=True))
            # One answer to choose: a tap on a tile sends it (a submit button each, with or
            # without JavaScript). Several to choose: tick them, then send.
            context["tap"] = question.kind != question.Kind.MULTIPLE
    else:
        context["tiles"] = tiles
    if screen.name == "answer":
        with_sources([question])
        context["section_url"] = section_url(question)
    return context


def _my_context(participant: Participant, screen: live.Screen, now, total: int) -> dict:
    """The player's own line above the screen."""
    session = participant.session
    given = screen.given
    context = {
        "participant": participant,
        "session": session,
        "screen": screen.name,
        "question": screen.question,
        "given": given,
    }
    if screen.name == "ask" and (deadline := session.deadline_for(participant)):
        context["countdown"] = _countdown(deadline, now, session.timer)
    if given is not None:
        question = screen.question
        if question.kind in live.CHOICE_KINDS:
            context["chosen"] = live.chosen(session, question, given.answer)
        context["rows"] = answer_rows(session.deck(), question, given)
    if screen.name in {"finished", "done"}:
        context["answers"] = list(participant.answers.select_related("question"))
    if screen.name == "finished" or session.status == LiveSession.Status.STANDINGS:
        rows = live.standings(session)
        standing = live.standing_of(rows, participant)
        context.update(standing=standing, players=len(rows), total=total)
        if standing is not None and screen.name != "finished":
            # How far to the next place: behind it, sharing the top, or ahead of the rest.
            if above := live.place_above(rows, standing):
                context.update(above=above, behind=above.points - standing.points)
            elif sum(row.rank == standing.rank for row in rows) > 1:
                context["sharing"] = True
            elif len(rows) > 1:
                context["lead"] = standing.points - rows[1].points
    return context


def _countdown(deadline: datetime, now: datetime, duration: int | None) -> dict:
    """A countdown to an absolute deadline. The page carries the deadline and the server's clock
    (epoch milliseconds), and the browser counts down from the deadline itself, never by
    subtracting ticks: a laptop or phone that slept, or whose clock is off, still shows the time
    left. Without JavaScript, the seconds left when the page was made."""
    left = max((deadline - now).total_seconds(), 0.0)
    return {
        "deadline_ms": int(deadline.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "seconds_left": math.ceil(left),
        "duration": duration or 0,
        "spent": min(max(round(100 * (1 - left / duration)), 0), 100) if duration else 0,  # of the ring, in %
    }


def _stage(
    request: HttpRequest,
    participant: Participant,
    *,
    given=live.UNREAD,
    form: AnswerForm | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    """The player's stage now: the whole page, or for htmx the fragment it swaps in."""
    session = participant.session
    now = timezone.now()
    questions = live.session_questions(session)
    screen = live.player_screen(participant, questions, now, given)
    context = _my_context(participant, screen, now, len(questions))
    fragment = request.htmx and not request.htmx.history_restore_request
    if screen.shared and fragment and form is None:
        html = mark_safe(  # noqa: S308 (our template's output, as rendered for every player)
            live.per_version(
                session,
                screen.key,
                lambda: render_to_string(_SCREEN, _screen_context(session, screen, len(questions))),
            )
        )
    elif screen.shared:
        html = render_to_string(_SCREEN, _screen_context(session, screen, len(questions), form), request)
    else:
        html = render_to_string(_SCREEN, {**context, "number": screen.number}, request)
    context.update(
        screen_html=html,
        refused=refused,
        asking=screen.name == "ask",
        polling=not (session.is_finished or participant.removed),
        stamp=session.stamp().value(now),
    )
    return page_or_partial(request, _PLAY, "stage", context, status)


_PLAY = "quizzes/session_play.html"
_SCREEN = f"{_PLAY}#screen"


@require_safe
@never_cache
@vary_on_headers("HX-Request")
def session_play(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A student's screen: the lobby, the open question, the answer once revealed, the results."""
    try:
        participant = _participant(request, public_id)
    except Http404:
        session = LiveSession.objects.active().filter(public_id=public_id).first()
        if session is None:
            raise
        return redirect("quizzes:session-join-code", session.code)
    return _stage(request, participant)


@require_safe
@never_cache
def session_poll(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """What a student's screen asks every two seconds. While nothing has changed it reads the
    cache only (the database once per expiry), touches no session and writes nothing: 204.
    When something has changed it answers with the new stage itself, or once the session is
    over, with the results and 286, which stops the polling: one request per phone per change."""
    stamp = live.stamp_read(public_id)
    if stamp is None:
        return reswap(HttpResponseStopPolling(), "none")
    if not stamp.finished and request.GET.get("v", "") == stamp.value(timezone.now()):
        return HttpResponse(status=204)
    response = _stage(request, _participant(request, public_id))
    if stamp.finished:
        response.status_code = HttpResponseStopPolling.status_code
    return response


@require_POST
@never_cache
@vary_on_headers("HX-Request")
def session_answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A student's answer to the question on their screen: checked against the question as the
    session caches it, stored with one INSERT, answered with their stage (a retry sees the same)."""
    participant = _participant(request, public_id)
    questions = live.session_questions(participant.session)
    number = _number(request.POST.get("question", ""))
    if not 1 <= number <= len(questions):
        refused = "That question is not in this quiz. Here is the one on screen now."
        return _stage(request, participant, refused=refused, status=400)
    question = questions[number - 1]
    form = AnswerForm(request.POST, attempt=participant.session.deck(), question=question)
    if not form.is_valid():
        screen = live.player_screen(participant, questions, timezone.now())
        if screen.name == "ask" and screen.question == question:
            return _stage(request, participant, given=None, form=form, status=400)  # what was wrong with it
        return _stage(request, participant, given=screen.given, refused=live.NOT_OPEN, status=409)
    try:
        given = live.answer_give(participant=participant, question=question, number=number, answer=form.answer())
    except live.RefusedError as refusal:
        if not request.htmx:  # the page it redirects to cannot know: say it there
            messages.error(request, str(refusal))
            return redirect("quizzes:session-play", public_id)
        return _stage(request, participant, refused=str(refusal), status=409)
    if not request.htmx:
        return redirect("quizzes:session-play", public_id)
    return _stage(request, participant, given=given)


@require_POST
@never_cache
def session_next(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Student-paced: on to the next question, once this one is answered or out of time."""
    participant = _participant(request, public_id)
    questions = live.session_questions(participant.session)
    number = _number(request.POST.get("question", ""))
    if 1 <= number <= len(questions):
        answered = participant.answers.filter(question=questions[number - 1]).exists()
        live.participant_advance(participant=participant, number=number, answered=answered)
    if not request.htmx:
        return redirect("quizzes:session-play", public_id)
    return _stage(request, participant)


# Hosting


def _hosted(request: HttpRequest, public_id: uuid.UUID) -> LiveSession:
    """The session, if the asker hosts it (a superuser: any); 404 for every other user."""
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404("No such session.")
    sessions = LiveSession.objects.for_host(request.user).select_related("quiz")
    return get_object_or_404(sessions, public_id=public_id)


def _join_url(request: HttpRequest, session: LiveSession) -> str:
    return request.build_absolute_uri(reverse("quizzes:session-join-code", args=[session.code]))


def _qr_svg(url: str) -> str:
    # segno draws the code as one SVG path, with no script and no style attribute.
    return segno.make(url, error="m").svg_inline(scale=6, border=2, svgclass="qr-code", title=url, omitsize=True)


def _on_screen(session: LiveSession, questions: list):
    """Teacher-paced: the question on the projector, if it is still in the quiz."""
    if session.is_teacher_paced and 1 <= session.position <= len(questions):
        return questions[session.position - 1]
    return None


def _host_counts(session: LiveSession, now) -> tuple[live.HostCounts, list]:
    """The counts the host's screen shows, after closing a question everyone has answered (the
    session's option) and completing any scoring a step left undone; with the session's
    questions as of the version it leaves (read again only when the close made a new one)."""
    questions = live.session_questions(session)
    counts = live.host_counts(session, _on_screen(session, questions))
    if live.host_close_when_all_answered(session, counts, now):
        return counts, live.session_questions(session)
    live.host_settle(session, counts, now)
    return counts, questions


# What the host chose to see, kept in the stage's address so that every refresh keeps it.
HOST_VIEW = {"names": "hidden"}  # student-paced: the grid without names, as a class sees it
GRID_ROWS = 14  # students a column of the grid holds on a 768-pixel-high projector
GRID_WIDTH = 76  # rem across a projector, for the columns of the grid


def _host_view(request: HttpRequest) -> dict[str, str]:
    return {name: value for name, value in HOST_VIEW.items() if request.GET.get(name) == value}


def _host_url(session: LiveSession, view: dict[str, str], **more: str) -> str:
    query = urlencode({**view, **more})
    return reverse("quizzes:session-host", args=[session.public_id]) + (f"?{query}" if query else "")


def _grid_columns(rows: list, questions: int) -> list[tuple[int, int, list]]:
    """The student-paced grid in side-by-side columns of at most GRID_ROWS students (as many as
    its width allows), so that a class of 30 fits one screen. Each with its first and last
    student's number."""
    fits = max(1, min(4, int(GRID_WIDTH // (9 + 1.9 * questions))))
    columns = min(fits, max(1, math.ceil(len(rows) / GRID_ROWS)))
    per = max(math.ceil(len(rows) / columns), 1)
    return [
        (start + 1, start + len(rows[start : start + per]), rows[start : start + per])
        for start in range(0, len(rows), per)
    ] or [(1, 0, [])]


def _host_context(request: HttpRequest, session: LiveSession) -> dict:
    now = timezone.now()
    counts, questions = _host_counts(session, now)
    view = _host_view(request)
    confirm_end = request.GET.get("end") == "1" and not session.is_finished
    participants = list(session.participants.filter(removed=False))
    context = {
        "session": session,
        "phase": session.phase(now),
        "stamp": counts.stamp(session, now),
        "total": len(questions),
        "join_url": _join_url(request, session),
        "join_page": request.build_absolute_uri(reverse("quizzes:session-join")),
        "participants": participants,
        "answered": counts.answered,
        "everyone_answered": live.everyone_answered(session, counts),
        "view_query": urlencode(view),
        # The stage refreshes itself from this address: the same view, the same question asked.
        "stage_url": _host_url(session, view, **({"end": "1"} if confirm_end else {})),
        "host_url": _host_url(session, view),
        "confirm_end": confirm_end,
        "names_hidden": "names" in view,
        "names_url": _host_url(session, {} if "names" in view else HOST_VIEW),
    }
    question = _on_screen(session, questions)
    if session.status == LiveSession.Status.LOBBY:
        context["qr"] = mark_safe(_qr_svg(context["join_url"]))  # noqa: S308 (segno's own markup)
    elif session.is_finished:
        rows = live.standings(session)
        context["standings"] = [(row, _moved(None)) for row in rows[: live.STANDINGS_SHOWN]]
        context["podium"] = rows[: live.PODIUM]
        context["players"] = len(rows)
        if rows and questions:
            context["class_right"] = round(100 * sum(row.right for row in rows) / (len(rows) * len(questions)))
        context["report_url"] = reverse("admin:quizzes_livesession_report", args=[session.pk])
        context["csv_url"] = reverse("admin:quizzes_livesession_report_csv", args=[session.pk])
    elif not session.is_teacher_paced:
        rows = [
            (f"Student {number}" if "names" in view else participant.nickname, marks)
            for number, (participant, marks) in enumerate(live.grid(session, questions), start=1)
        ]
        context["grid_columns"] = _grid_columns(rows, len(questions))
        context["grid_dense"] = len(rows) > GRID_ROWS * len(context["grid_columns"])
        context["finished_count"] = sum(all(mark is not None for mark in marks) for _, marks in rows)
        context["questions"] = questions
    elif question is None:
        # The question on screen was made a draft or deleted in the admin meanwhile.
        context.update(missing=True, number=session.position, last=True)
    else:
        context.update(question=question, number=session.position, last=not session.has_next(len(questions)))
        context["tiles"] = live.tiles(session, question)  # the order and markers every phone shows
        context["options"] = session.deck().shuffled(question, question.options.all())
        if session.status == LiveSession.Status.OPEN and session.closes_at and not session.time_up(now):
            context["countdown"] = _countdown(session.closes_at, now, session.timer)
        if session.status == LiveSession.Status.REVEALED:
            context["bars"] = live.distribution(session, question)
            with_sources([question])
            context["section_url"] = section_url(question)
            context["sentence"] = next(iter(question.sentences.all()), None)
        if session.status == LiveSession.Status.STANDINGS:
            moved = live.standings_moved(session, question)
            rows = live.standings(session)
            context["standings"] = [
                (row, _moved(moved.get(row.participant_id))) for row in rows[: live.STANDINGS_SHOWN]
            ]
            context["moves"] = bool(moved)
            context["players"] = len(rows)
    return context


def _moved(places: int | None) -> dict[str, int]:
    """Places moved on the leaderboard, as the template writes them: ▲ 2, ▼ 1 or –."""
    return {"up": max(places or 0, 0), "down": max(-(places or 0), 0)}


def _render_host(request: HttpRequest, session: LiveSession, status: int = 200) -> HttpResponse:
    return page_or_partial(request, "quizzes/session_host.html", "host-stage", _host_context(request, session), status)


@require_safe
@never_cache
@vary_on_headers("HX-Request")
def session_host(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The projector's screen: the code and QR code, who has joined, the question, the results.
    `?end=1` asks "End the session?" before the host ends it (a real step, with or without
    JavaScript); `?names=hidden` shows the student-paced grid without names."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return _render_host(request, _hosted(request, public_id))


@require_safe
@never_cache
def session_host_poll(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The host's poll: reads the session to know who asks and one aggregate of the counts,
    whatever the class size; it also notices joins and answers, which students' polls need not,
    and completes the scoring of a question no longer open (see live.host_settle)."""
    session = _hosted(request, public_id)
    if session.is_finished:  # ended from another tab: show the results here too
        return trigger_client_event(HttpResponseStopPolling(), CHANGED)
    now = timezone.now()
    counts, _ = _host_counts(session, now)
    if request.GET.get("v", "") == counts.stamp(session, now):
        return HttpResponse(status=204)
    return trigger_client_event(HttpResponse(), CHANGED)


@require_POST
@never_cache
def session_host_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    """A host's button. Each carries the version the host saw, so a double click moves once."""
    session = _hosted(request, public_id)
    if action not in live.HOST_ACTIONS:
        raise Http404("No such action.")
    seen = _number(request.POST.get("version", ""), digits=9)
    live.host_act(session=session, action=action, seen=seen if seen >= 0 else None)
    if not request.htmx:
        return redirect(_host_url(session, _host_view(request)))
    return _render_host(request, session)


@require_POST
@never_cache
def session_remove(request: HttpRequest, public_id: uuid.UUID, participant_id: int) -> HttpResponse:
    session = _hosted(request, public_id)
    live.participant_remove(session=session, participant_id=participant_id)
    if not request.htmx:
        return redirect(_host_url(session, _host_view(request)))
    return _render_host(request, session)
