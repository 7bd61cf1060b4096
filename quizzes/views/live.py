"""Live sessions on screen: students join and play on their phones; the teacher hosts on the projector.

Student pages find the participant through the browser's session (the learner it names), never
through the form. Both sides poll: a poll reads a stamp from the shared cache and answers 204
when nothing changed, 286 when the session is over, and otherwise 200 with the event
`live-changed`, on which the page fetches its stage afresh (a normal, session-reading GET).
"""

import uuid
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseStopPolling, trigger_client_event

from config.middleware import client_ip
from quizzes import live
from quizzes.answers import answer_rows, section_url, with_sources
from quizzes.forms import NICKNAME_LENGTH, AnswerForm, JoinForm
from quizzes.models import Attempt, LiveAnswer, LiveSession, Participant
from quizzes.services import LEARNER_SESSION_KEY, learner_for
from quizzes.views.pages import page_or_partial

CHANGED = "live-changed"


def _poll_response(stamp, seen: str) -> HttpResponse:
    """204 when the screen is up to date, 286 (stop polling) once it is over, else 200 and the event."""
    if stamp is None or stamp.finished:
        response = HttpResponseStopPolling()
        return trigger_client_event(response, CHANGED)
    if seen == stamp.value(timezone.now()):
        return HttpResponse(status=204)
    return trigger_client_event(HttpResponse(), CHANGED)


def _number(value: str, digits: int = 4) -> int:
    """A small whole number posted by a form, or -1: "²", "1.0" and 5,000 digits are not numbers here."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= digits else -1


# Joining


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def session_join(request: HttpRequest, code: str = "") -> HttpResponse:
    """The join form. A GET looks nothing up (the code is checked only on POST, where wrong
    guesses are counted per address), so the address of a QR code gives nothing away."""
    signed_in = request.user.is_authenticated
    if request.method != "POST":
        form = JoinForm(initial={"code": code}, signed_in=signed_in)
        return render(request, "quizzes/session_join.html", {"form": form, "code": code})
    ip = client_ip(request)
    browser = live.browser_key(request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""))
    form = JoinForm(request.POST, signed_in=signed_in)
    status = 400
    if live.join_blocked(ip, browser):
        form.add_error(None, live.TOO_MANY_TRIES)
        status = 429
    elif form.is_valid():
        try:
            session = live.session_find(form.cleaned_data["code"])
        except live.RefusedError as refused:
            live.join_failed(ip, browser)
            form.add_error("code", str(refused))
        else:
            # Only now, with a session found: a wrong guess leaves no learner behind.
            learner = learner_for(request, create=True)
            nickname = learner.name[:NICKNAME_LENGTH] if signed_in else form.cleaned_data["nickname"]
            try:
                live.session_join(session=session, learner=learner, nickname=nickname, numbered=signed_in)
            except live.RefusedError as refused:
                form.add_error(None, str(refused))
            else:
                request.session.cycle_key()  # a new key for a new role: no fixation from a shared device
                return redirect("quizzes:session-play", session.public_id)
    return render(request, "quizzes/session_join.html", {"form": form, "code": code}, status=status)


# Playing


def _participant(request: HttpRequest, public_id: uuid.UUID) -> Participant:
    """The asker's participant in the session; 404 for anyone who has not joined it."""
    signed_in = request.user.is_authenticated
    # A guest's learner is named by their session: its id is enough, no need to read the row.
    learner = learner_for(request) if signed_in else request.session.get(LEARNER_SESSION_KEY)
    if learner is None:
        raise Http404("You have not joined this session.")
    participant = get_object_or_404(
        Participant.objects.select_related("session__quiz", "attempt"),
        session__public_id=public_id,
        learner=learner,
        learner__user=request.user if signed_in else None,
    )
    participant.attempt.quiz = participant.session.quiz  # the same quiz: no query to read it again
    return participant


def _play_context(participant: Participant, questions: list | None = None, given: LiveAnswer | None = None) -> dict:
    """What a student's screen shows now. `given`: the answer just stored, if the request stored one."""
    session = participant.session
    now = timezone.now()
    questions = live.session_questions(session) if questions is None else questions
    context = {
        "participant": participant,
        "session": session,
        "phase": session.phase(now),
        "stamp": session.stamp().value(now),
        "total": len(questions),
    }
    if session.is_finished:
        standings = live.standings(session)
        mine = next((row for row in standings if row.participant_id == participant.pk), None)
        context.update(standing=mine, players=len(standings), answers=_given(participant))
        return context
    if participant.removed or session.status == LiveSession.Status.LOBBY:
        return context
    number = session.position if session.is_teacher_paced else participant.position
    if not 1 <= number <= len(questions):
        context.update(done=True, answers=_given(participant))
        return context
    question = questions[number - 1]
    if given is None or given.question_id != question.pk:
        given = LiveAnswer.objects.filter(participant=participant, question=question).select_related("response").first()
    context.update(number=number, question=question, given=given)
    deadline = _deadline(participant, now)
    context["seconds_left"] = max(int((deadline - now).total_seconds()) + 1, 0) if deadline else None
    shows_answer = (given and not session.is_teacher_paced) or session.status in {
        LiveSession.Status.REVEALED,
        LiveSession.Status.STANDINGS,
    }
    if shows_answer:
        with_sources([question])
        context.update(revealed=True, section_url=section_url(question))
        if given:
            context["rows"] = answer_rows(participant.attempt, question, given.response)
        if session.status == LiveSession.Status.STANDINGS:
            standings = live.standings(session)
            context["standing"] = next((row for row in standings if row.participant_id == participant.pk), None)
    elif given:
        context["sent"] = _sent(participant, question, given)
    elif given is None and context["phase"] == LiveSession.Status.OPEN and (deadline is None or deadline > now):
        context["form"] = AnswerForm(attempt=participant.attempt, question=question)
    return context


def _sent(participant: Participant, question, given: LiveAnswer) -> list[str]:
    """What the student sent, in their words, before the answer is revealed (no right or wrong yet)."""
    rows = answer_rows(participant.attempt, question, given.response)
    if question.kind == question.Kind.GAP_FILL:
        return [rows[0].given]
    if question.kind in {question.Kind.ORDERING, question.Kind.MATCHING}:
        return []
    return [row.text for row in rows if row.chosen]


def _deadline(participant: Participant, now):
    session = participant.session
    if session.is_teacher_paced:
        return session.closes_at if session.status == LiveSession.Status.OPEN else None
    if session.timer and participant.opened_at:
        return participant.opened_at + timedelta(seconds=session.timer)
    return None


def _given(participant: Participant) -> list[LiveAnswer]:
    return list(participant.answers.select_related("question"))


def _render_stage(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return page_or_partial(request, "quizzes/session_play.html", "stage", context, status)


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
    return _render_stage(request, _play_context(participant))


@require_safe
@never_cache
def session_poll(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """What a student's screen asks every two seconds. Reads the cache only (the database once per
    expiry), touches no session and writes nothing: see quizzes.live.stamp_read."""
    return _poll_response(live.stamp_read(public_id), request.GET.get("v", ""))


@require_POST
@never_cache
@vary_on_headers("HX-Request")
def session_answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A student's answer to the question on their screen, stored once; a retry sees the same stage."""
    participant = _participant(request, public_id)
    questions = live.session_questions(participant.session)
    number = request.POST.get("question", "")
    if not 1 <= _number(number) <= len(questions):
        context = _play_context(participant, questions)
        context["refused"] = "That question is not in this quiz. Here is the one on screen now."
        return _render_stage(request, context, status=400)
    number = _number(number)
    question = questions[number - 1]
    form = AnswerForm(request.POST, attempt=participant.attempt, question=question)
    status = 200
    refused = ""
    given = None
    if form.is_valid():
        try:
            given = live.answer_give(
                participant=participant, question=question, number=number, answer=form.answer(), total=len(questions)
            )
        except live.RefusedError as refusal:
            refused, status = str(refusal), 409
    elif not LiveAnswer.objects.filter(participant=participant, question=question).exists():
        context = _play_context(participant, questions)
        if context.get("question") == question and "form" in context:
            context["form"] = form  # the same question, with what was wrong with the answer
            return _render_stage(request, context, status=400)
        refused, status = live.NOT_OPEN, 409
    if not request.htmx:
        if refused:  # the page it redirects to cannot know: say it there
            messages.error(request, refused)
        return redirect("quizzes:session-play", public_id)
    context = _play_context(participant, questions, given)
    context["refused"] = refused
    return _render_stage(request, context, status=status)


@require_POST
@never_cache
def session_next(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Student-paced: on to the next question."""
    participant = _participant(request, public_id)
    questions = live.session_questions(participant.session)
    number = request.POST.get("question", "")
    number = _number(number)
    if 1 <= number <= len(questions):
        live.participant_advance(participant=participant, number=number, question=questions[number - 1])
    if not request.htmx:
        return redirect("quizzes:session-play", public_id)
    return _render_stage(request, _play_context(participant, questions))


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


def _host_context(request: HttpRequest, session: LiveSession) -> dict:
    now = timezone.now()
    questions = live.session_questions(session)
    context = {
        "session": session,
        "phase": session.phase(now),
        "stamp": live.host_stamp(session, now),
        "total": len(questions),
        "join_url": _join_url(request, session),
        "participants": list(session.participants.filter(removed=False)),
    }
    if session.status == LiveSession.Status.LOBBY:
        context["qr"] = mark_safe(_qr_svg(context["join_url"]))  # noqa: S308 (segno's own markup)
    elif session.is_finished:
        context["standings"] = live.standings(session)
        context["podium"] = context["standings"][: live.PODIUM]
        context["report_url"] = reverse("admin:quizzes_livesession_report", args=[session.pk])
        context["csv_url"] = reverse("admin:quizzes_livesession_report_csv", args=[session.pk])
    elif not session.is_teacher_paced:
        context["grid"] = live.grid(session, questions)
        context["questions"] = questions
    elif session.position > len(questions):
        # The question on screen was made a draft or deleted in the admin meanwhile.
        context.update(missing=True, number=session.position, last=True)
    else:
        question = questions[session.position - 1]
        context.update(question=question, number=session.position, last=session.position >= len(questions))
        # The projector's order: an attempt never saved, so an ordering's events are mixed up.
        context["options"] = Attempt(seed=0).shuffled(question, question.options.all())
        context["answered"] = live.answered_count(session, question)
        if session.status == LiveSession.Status.OPEN and session.closes_at and not session.time_up(now):
            context["seconds_left"] = int((session.closes_at - now).total_seconds()) + 1
        if session.status in {LiveSession.Status.REVEALED, LiveSession.Status.STANDINGS}:
            context["bars"] = live.distribution(session, question)
            with_sources([question])
            context["section_url"] = section_url(question)
        if session.status == LiveSession.Status.STANDINGS:
            context["standings"] = live.standings(session)[: live.STANDINGS_SHOWN]
    return context


def _render_host(request: HttpRequest, session: LiveSession, status: int = 200) -> HttpResponse:
    return page_or_partial(request, "quizzes/session_host.html", "host-stage", _host_context(request, session), status)


@require_safe
@never_cache
@vary_on_headers("HX-Request")
def session_host(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The projector's screen: the code and QR code, who has joined, the question, the results."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return _render_host(request, _hosted(request, public_id))


@require_safe
@never_cache
def session_host_poll(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The host's poll: reads the session to know who asks, writes nothing, two queries plus the
    session's; it also notices joins and answers, which students' polls need not."""
    session = _hosted(request, public_id)
    if session.is_finished:  # ended from another tab: show the results here too
        return trigger_client_event(HttpResponseStopPolling(), CHANGED)
    if request.GET.get("v", "") == live.host_stamp(session, timezone.now()):
        return HttpResponse(status=204)
    return trigger_client_event(HttpResponse(), CHANGED)


HOST_ACTIONS = {"start", "close", "reveal", "standings", "next", "finish", "lock", "unlock"}


@require_POST
@never_cache
def session_host_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    """A host's button. Each carries the version the host saw, so a double click moves once."""
    session = _hosted(request, public_id)
    if action not in HOST_ACTIONS:
        raise Http404("No such action.")
    seen = _number(request.POST.get("version", ""), digits=9)
    seen = seen if seen >= 0 else None
    match action:
        case "start":
            session.start(seen=seen)
        case "close":
            session.close(seen=seen)
        case "reveal":
            session.reveal(seen=seen)
        case "standings":
            session.standings_show(seen=seen)
        case "next":  # after the last question, once it is revealed: the results
            total = len(live.session_questions(session))
            if session.position < total:
                session.advance(total=total, seen=seen)
            elif session.status in {LiveSession.Status.REVEALED, LiveSession.Status.STANDINGS}:
                live.session_finish(session=session, seen=seen)
        case "finish":
            live.session_finish(session=session, seen=seen)
        case "lock" | "unlock":
            session.lock(action == "lock")
    if not request.htmx:
        return redirect("quizzes:session-host", public_id)
    return _render_host(request, session)


@require_POST
@never_cache
def session_remove(request: HttpRequest, public_id: uuid.UUID, participant_id: int) -> HttpResponse:
    session = _hosted(request, public_id)
    live.participant_remove(session=session, participant_id=participant_id)
    if not request.htmx:
        return redirect("quizzes:session-host", public_id)
    return _render_host(request, session)
