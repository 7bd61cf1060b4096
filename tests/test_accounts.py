"""Student accounts: sign-up, log in and out, password change, throttled logins, and guest
progress carried into the account without loss or duplication."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt, Learner, Quiz, Response, ReviewCard
from tests.account_helpers import LOGIN, SIGNUP, log_in, signup_data
from tests.conftest import PASSWORD
from tests.quiz_helpers import attempt_answer, minutes_pass, quiz_take, review_begin

# Signing up


def test_signup_creates_the_account_signs_in_and_cycles_the_session(db, guest_client):
    assert guest_client.get(SIGNUP).status_code == 200
    guest_client.get(reverse("quizzes:progress"))
    guest_client.session.save()
    before = guest_client.session.session_key
    response = guest_client.post(SIGNUP, signup_data(), follow=True)
    user = User.objects.get(username="sasha")
    assert user.check_password(PASSWORD) and not user.is_staff
    assert user.learner.display_name == "Sasha K."
    assert response.redirect_chain == [(reverse("explainer:home"), 302)]
    assert "Welcome, Sasha K." in response.content.decode()
    assert guest_client.session["_auth_user_id"] == str(user.pk)
    assert guest_client.session.session_key != before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "ALEX"}, "A user with that username already exists."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "12345678901", "password2": "12345678901"}, "This password is entirely numeric."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password2": PASSWORD + "x"}, "The two password fields didn’t match."),
        ({"username": "sasha k"}, "Enter a valid username."),
        ({"display_name": ""}, "Choose a display name."),
        ({"display_name": "\u202e\u200b "}, "Choose a display name with at least one visible letter."),
        ({"display_name": "x" * 41}, "Ensure this value has at most 40 characters"),
    ],
)
def test_signup_refuses_bad_input_with_a_message_and_creates_nobody(db, guest_client, student, changes, message):
    response = guest_client.post(SIGNUP, signup_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert User.objects.count() == 1 and "_auth_user_id" not in guest_client.session


def test_a_display_name_loses_hidden_and_direction_changing_characters(db, guest_client):
    guest_client.post(SIGNUP, signup_data(display_name="\u202eSasha\u200b  K\u0007."))
    assert Learner.objects.get(user__username="sasha").display_name == "Sasha K."


def test_signup_goes_on_to_a_safe_next_page_only(db):
    assert Client().post(SIGNUP, signup_data(next="/quizzes/"))["Location"] == "/quizzes/"
    unsafe = Client().post(SIGNUP, signup_data(username="other", next="https://evil.example/"))
    assert unsafe["Location"] == reverse("explainer:home")


def test_a_signed_in_student_is_sent_on_from_signup_and_login(student_client):
    assert student_client.get(SIGNUP)["Location"] == reverse("explainer:home")
    assert student_client.get(LOGIN)["Location"] == reverse("explainer:home")


# Logging in and out


def test_login_cycles_the_session_key_and_logout_takes_a_post(student, guest_client):
    guest_client.get(LOGIN)
    before = guest_client.session.session_key
    response = log_in(guest_client, "alex")
    assert response.status_code == 302 and response["Location"] == reverse("explainer:home")
    assert guest_client.session.session_key != before
    assert guest_client.get(reverse("accounts:logout")).status_code == 405
    assert guest_client.post(reverse("accounts:logout"))["Location"] == reverse("explainer:home")
    assert "_auth_user_id" not in guest_client.session


def test_a_wrong_password_is_refused_with_a_message(student, guest_client):
    response = log_in(guest_client, "alex", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in guest_client.session


def test_the_password_can_be_changed(student, student_client):
    url = reverse("accounts:password-change")
    weak = student_client.post(url, {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"})
    assert "This password is too short." in weak.content.decode()
    new = "another-long-pass-phrase-7"
    response = student_client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("accounts:password-changed")
    student.refresh_from_db()
    assert student.check_password(new)


# Throttling


def test_failed_logins_are_throttled_per_username_and_address(student, db):
    User.objects.create_user("sam", password=PASSWORD)
    school = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(4):
        assert log_in(school, "alex", "wrong").status_code == 200
    assert log_in(school, "alex", "wrong").status_code == 429  # the fifth
    locked = log_in(school, "alex")  # even the right password, for now
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() and "15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in school.session
    # A classmate behind the same school address still gets in, and so does alex from elsewhere.
    assert log_in(Client(REMOTE_ADDR="127.0.0.1"), "sam").status_code == 302
    assert log_in(Client(REMOTE_ADDR="127.0.0.2"), "alex").status_code == 302


def test_a_success_resets_the_count_of_failures(student, db):
    client = Client()
    for _ in range(4):
        log_in(client, "alex", "wrong")
    assert log_in(client, "alex").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        log_in(client, "alex", "wrong")
    assert log_in(client, "alex").status_code == 302


# Guest progress follows the browser into the account


def test_signing_up_keeps_the_guest_s_progress(content, guest_client):
    attempt = quiz_take(guest_client, right=lambda number, question: number > 3)
    guest = attempt.learner
    cards = set(guest.cards.values_list("fact_id", "due", "reps"))
    guest_client.post(SIGNUP, signup_data())
    learner = Learner.objects.get(user__username="sasha")
    assert Learner.objects.count() == 1
    assert learner.attempts.get() == attempt
    assert set(learner.cards.values_list("fact_id", "due", "reps")) == cards
    page = guest_client.get(reverse("quizzes:progress")).content.decode()
    assert f"{attempt.score} of 11" in page


def test_logging_in_merges_the_guest_s_progress_into_an_account_that_had_some(content, student):
    # On one device, signed in, the student misses everything in the whole-story quiz.
    laptop = Client()
    log_in(laptop, "alex")
    own = quiz_take(laptop, "the-whole-story", right=lambda number, question: False)
    own_cards = dict(own.learner.cards.values_list("fact_id", "reps"))
    # On another, as a guest, they take two quizzes (the built-in quizzes share no fact, so the
    # whole story again) and start a review round.
    phone = Client()
    first = quiz_take(phone, "milk-war")
    second = quiz_take(phone, "the-whole-story", right=lambda number, question: number % 2 == 0)
    guest = first.learner
    ReviewCard.objects.filter(learner=guest).update(due=F("due") - timedelta(days=30))
    round_ = review_begin(phone)
    attempt_answer(phone, round_)
    guest_cards = dict(guest.cards.values_list("fact_id", "reps"))
    shared = set(own_cards) & set(guest_cards)
    assert shared, "both devices answered the whole story, so the merge has cards to combine"
    responses = Response.objects.count()

    log_in(phone, "alex")

    learner = Learner.objects.get(user=student)
    assert not Learner.objects.filter(pk=guest.pk).exists()
    assert set(learner.attempts.all()) == {own, first, second, round_}
    assert Response.objects.count() == responses
    assert Response.objects.filter(attempt__learner=learner).count() == responses
    assert Quiz.objects.reviews().get().learner == learner
    # One card per fact, holding every answer given on it, on either device.
    cards = {card.fact_id: card for card in learner.cards.all()}
    assert set(cards) == set(own_cards) | set(guest_cards)
    for fact_id, card in cards.items():
        answers = Response.objects.filter(attempt__learner=learner, question__fact_id=fact_id)
        assert card.reps == own_cards.get(fact_id, 0) + guest_cards.get(fact_id, 0) == answers.count()
        latest = answers.order_by("created_at", "pk").last()
        assert card.last_correct == latest.is_correct and card.last_review == latest.created_at
    # Both devices now show the same attempts.
    for device in (laptop, phone):
        page = device.get(reverse("quizzes:progress")).content.decode()
        assert re.findall(r"/attempts/([0-9a-f-]+)/result/", page) == [
            str(attempt.public_id) for attempt in learner.attempts.order_by("-finished_at")
        ]


def test_logging_out_leaves_the_progress_in_the_account_and_not_in_the_browser(content, student):
    browser = Client()
    log_in(browser, "alex")
    attempt = quiz_take(browser)
    browser.post(reverse("accounts:logout"))
    assert "Nothing here yet" in browser.get(reverse("quizzes:progress")).content.decode()
    log_in(browser, "alex")
    assert f"{attempt.score} of 11" in browser.get(reverse("quizzes:progress")).content.decode()


def test_a_guest_s_browser_keeps_their_progress_for_more_than_a_school_year(content, guest_client):
    quiz_take(guest_client)
    cookie = guest_client.cookies["sessionid"]
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60
    assert int(cookie["max-age"]) <= 400 * 24 * 60 * 60  # browsers cap a cookie's life at 400 days


# Edges found in review


def test_a_double_submitted_signup_gets_a_message_not_a_500(db, guest_client, monkeypatch):
    from django.db import IntegrityError

    from quizzes.views import accounts

    def taken(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: auth_user.username")

    monkeypatch.setattr(accounts, "account_create", taken)
    response = guest_client.post(SIGNUP, signup_data())
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()


def test_a_display_name_that_normalising_makes_too_long_is_refused(db, guest_client):
    response = guest_client.post(SIGNUP, signup_data(display_name="\ufdfa" * 3))  # NFKC: 18 letters each
    assert response.status_code == 400
    assert "Keep your display name to 40 characters." in response.content.decode()
    assert not User.objects.filter(username="sasha").exists()


def test_the_password_rules_are_announced_with_their_field(db, guest_client):
    page = guest_client.get(SIGNUP).content.decode()
    assert 'aria-describedby="id_password1_helptext"' in page
    assert re.search(r'<div class="hint" id="id_password1_helptext"><ul>', page)


def test_an_overlong_username_is_a_wrong_login_not_an_error(student, guest_client):
    from axes.models import AccessAttempt

    response = log_in(guest_client, "x" * 300, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert len(AccessAttempt.objects.get().username) == 150


def test_logging_in_never_loops_back_to_an_account_page(student, student_client, guest_client):
    assert student_client.get(LOGIN, {"next": LOGIN})["Location"] == reverse("explainer:home")
    assert log_in(guest_client, "alex", next=LOGIN)["Location"] == reverse("explainer:home")
    page = Client().get(LOGIN).content.decode()
    assert "?next=/accounts/" not in page


def test_a_signed_in_session_lasts_two_weeks_not_a_school_year(student, guest_client):
    log_in(guest_client, "alex")
    assert 14 * 24 * 60 * 60 - 60 < guest_client.session.get_expiry_age() <= 14 * 24 * 60 * 60


def _merge_fails_at_sign_in(browser: Client, monkeypatch) -> Attempt:
    """A guest's finished attempt in `browser`, whose merge into alex's account fails as alex
    signs in; the database is back (the merge works again) once this returns."""
    from django.db import DatabaseError

    from quizzes.services import learners

    attempt = quiz_take(browser)
    real_merge = learners.learner_merge

    def broken(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(learners, "learner_merge", broken)
    assert log_in(browser, "alex").status_code == 302
    attempt.refresh_from_db()
    assert attempt.learner.user is None and browser.session["learner_id"] == attempt.learner_id
    monkeypatch.setattr(learners, "learner_merge", real_merge)
    return attempt


def test_after_a_failed_merge_reading_pages_writes_nothing_and_keeps_the_guest_linked(content, student, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = Client()
    attempt = _merge_fails_at_sign_in(browser, monkeypatch)
    pages = ["explainer:home", "quizzes:progress", "quizzes:review", "quizzes:list"]
    with CaptureQueriesContext(connection) as queries:
        for page in pages:
            assert browser.get(reverse(page)).status_code == 200
        assert browser.get(reverse("quizzes:detail", args=["milk-war"])).status_code == 200
        result = browser.get(reverse("quizzes:result", args=[attempt.public_id]))  # still theirs to open
        assert result.status_code == 200 and f"{attempt.score} of 11" in result.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    attempt.refresh_from_db()
    assert attempt.learner.user is None and browser.session["learner_id"] == attempt.learner_id


@pytest.mark.parametrize("action", ["start", "review"])
def test_after_a_failed_merge_the_next_write_merges_the_guest(content, student, monkeypatch, action):
    browser = Client()
    attempt = _merge_fails_at_sign_in(browser, monkeypatch)
    if action == "start":
        assert browser.post(reverse("quizzes:start", args=["csto"])).status_code == 302
    else:
        browser.post(reverse("quizzes:review-start"))  # nothing due yet: the merge happens all the same
    attempt.refresh_from_db()
    assert attempt.learner.user == student and "learner_id" not in browser.session
    assert not Learner.objects.filter(user=None).exists()
    assert f"{attempt.score} of 11" in browser.get(reverse("quizzes:progress")).content.decode()


def test_merging_leaves_one_open_review_round(content, student):
    laptop = Client()
    log_in(laptop, "alex")
    quiz_take(laptop, right=lambda number, question: False)
    phone = Client()
    quiz_take(phone, "csto", right=lambda number, question: False)
    minutes_pass(11)
    review_begin(laptop)
    review_begin(phone)
    assert Quiz.objects.reviews().count() == 2
    log_in(phone, "alex")
    learner = Learner.objects.get(user=student)
    assert Attempt.objects.filter(learner=learner, quiz__status=Quiz.Status.REVIEW, finished_at=None).count() == 1
    assert Attempt.objects.open_review(learner).count() == 1


def test_behind_a_proxy_the_client_is_the_address_the_proxy_appended(rf, settings):
    from config.middleware import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.8, 127.0.0.9")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "127.0.0.9"
