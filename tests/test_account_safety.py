"""Accounts and data (issue 14, items 10, 11 and 13): a guest's progress goes only into the
student account that signs in on their browser; a forgotten password can be reset by e-mail or
by the student's teacher; sign-ups, reset requests and password spraying are limited per address."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from quizzes.models import Classroom, Enrolment, Learner
from tests.account_helpers import LOGIN, SIGNUP, log_in, signup_data
from tests.conftest import PASSWORD
from tests.quiz_helpers import quiz_take

ADMIN_LOGIN = reverse("admin:login")
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-pass-phrase-9"


def progress_page(client: Client) -> str:
    return client.get(reverse("quizzes:progress")).content.decode()


# 10. Guest progress goes into a student's account, and only on the student's own sign-in


def test_a_teacher_signing_in_to_the_admin_leaves_the_student_s_guest_progress_alone(content, teacher):
    browser = Client()
    attempt = quiz_take(browser)
    guest = attempt.learner
    assert browser.post(ADMIN_LOGIN, {"username": teacher.username, "password": PASSWORD}).status_code == 302
    browser.get(reverse("admin:index"))
    assert "Nothing here yet" in progress_page(browser)  # the teacher's own progress: none
    attempt.refresh_from_db()
    assert attempt.learner == guest and Learner.objects.get(pk=guest.pk).user is None
    assert not Learner.objects.filter(user=teacher, attempts__isnull=False).exists()
    # Signing out gives the browser back to its student, progress and all.
    browser.post(reverse("admin:logout"))
    assert f"{attempt.score} of 11" in progress_page(browser)
    attempt.refresh_from_db()
    assert attempt.learner.user is None


def test_a_teacher_on_the_student_login_is_told_and_the_guest_progress_stays_with_the_browser(content, teacher):
    browser = Client()
    attempt = quiz_take(browser)
    response = log_in(browser, teacher.username, follow=True)
    assert "not added to your account" in response.content.decode()
    assert "Nothing here yet" in progress_page(browser)  # and no page merges it later
    attempt.refresh_from_db()
    assert attempt.learner.user is None
    browser.post(reverse("accounts:logout"))
    assert f"{attempt.score} of 11" in progress_page(browser)
    # The student it belongs to signs in on it: now it is theirs.
    student = User.objects.create_user("sasha", password=PASSWORD)
    log_in(browser, "sasha")
    attempt.refresh_from_db()
    assert attempt.learner.user == student


def test_a_superuser_signing_in_takes_no_guest_progress_either(content, superuser):
    browser = Client()
    attempt = quiz_take(browser)
    browser.post(ADMIN_LOGIN, {"username": superuser.username, "password": PASSWORD})
    progress_page(browser)
    browser.post(reverse("admin:logout"))
    log_in(browser, superuser.username)
    progress_page(browser)
    attempt.refresh_from_db()
    assert attempt.learner.user is None


def test_a_student_signing_in_still_takes_their_guest_progress(content, student):
    browser = Client()
    attempt = quiz_take(browser)
    response = log_in(browser, "alex", follow=True)
    assert "not added" not in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.learner.user == student and "learner_id" not in browser.session


# 11. Forgotten passwords: by e-mail, or set by the student's teacher


def test_sign_up_takes_an_optional_e_mail_address(db):
    page = Client().get(SIGNUP).content.decode()
    assert 'name="email"' in page and "optional" in page.lower()
    Client().post(SIGNUP, signup_data(email="Sasha@Example.ORG"))
    Client().post(SIGNUP, signup_data(username="kim"))
    assert User.objects.get(username="sasha").email == "Sasha@example.org"
    assert User.objects.get(username="kim").email == ""
    refused = Client().post(SIGNUP, signup_data(username="lee", email="not an address"))
    assert refused.status_code == 400 and "Enter a valid email address." in refused.content.decode()


def test_a_forgotten_password_is_reset_through_a_link_sent_by_e_mail(db):
    Client().post(SIGNUP, signup_data(email="sasha@example.org"))
    assert "Forgotten your password?" in Client().get(LOGIN).content.decode()
    assert 'href="/accounts/password/reset/"' in Client().get(LOGIN).content.decode()
    browser = Client()
    response = browser.post(RESET, {"email": "SASHA@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["sasha@example.org"]
    assert "sasha" in mail.outbox[0].body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = browser.get(link)["Location"]  # Django hides the token from the page's address
    page = browser.get(form_url).content.decode()
    assert "Choose a new password" in page
    weak = browser.post(form_url, {"new_password1": "sasha", "new_password2": "sasha"})
    assert "This password is too short." in weak.content.decode()
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password-reset-complete")
    assert User.objects.get(username="sasha").check_password(NEW_PASSWORD)
    assert "Your password has been set" in browser.get(done["Location"]).content.decode()
    # The link works once.
    assert "no longer valid" in browser.get(form_url).content.decode()


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(student, db):
    response = Client().post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert "If an account has that e-mail address" in response.content.decode()
    assert mail.outbox == []  # and alex, who gave no address, cannot be reached this way


def test_a_reset_lifts_the_login_lockout_of_the_account(db):
    Client().post(SIGNUP, signup_data(email="sasha@example.org"))
    school = Client()
    for _ in range(5):
        log_in(school, "sasha", "wrong")
    assert log_in(school, "sasha", NEW_PASSWORD).status_code == 429
    browser = Client()
    browser.post(RESET, {"email": "sasha@example.org"})
    form_url = browser.get(re.search(r"http://testserver(\S+/)", mail.outbox[0].body)[1])["Location"]
    browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(school, "sasha", NEW_PASSWORD).status_code == 302


def test_e_mail_settings_come_from_the_environment_with_the_console_in_development():
    def email_settings(**env) -> str:
        code = (
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.MAILERS['default'], s.DEFAULT_FROM_EMAIL)"
        )
        clean = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("EMAIL_", "DEFAULT_FROM", "DJANGO_DEBUG", "DJANGO_SECRET"))
        }
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() or result.stderr

    assert email_settings() == "{'BACKEND': 'django.core.mail.backends.console.EmailBackend'} webmaster@localhost"
    smtp = email_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.org",
        EMAIL_HOST_USER="classroom",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="classroom@example.org",
    )
    assert smtp == (
        "{'BACKEND': 'django.core.mail.backends.smtp.EmailBackend', 'OPTIONS': {'host': 'smtp.example.org', "
        "'port': None, 'username': 'classroom', 'password': 'secret', 'use_tls': True, 'use_ssl': False, "
        "'timeout': 10}} classroom@example.org"
    )
    production = email_settings(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50)  # the console is for development
    assert production.startswith(
        "{'BACKEND': 'django.core.mail.backends.smtp.EmailBackend', 'OPTIONS': {'host': 'localhost'"
    )
    assert "'port': 2525" in email_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT="2525"
    )
    both = email_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_USE_TLS="true", EMAIL_USE_SSL="true"
    )
    assert "ImproperlyConfigured" in both


def test_a_mail_server_that_fails_is_logged_and_the_page_still_answers(db, settings, caplog):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    Client().post(SIGNUP, signup_data(email="sasha@example.org"))
    response = Client().post(RESET, {"email": "sasha@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert "Failed to send password reset email" in caplog.text


# 11. A teacher sets a new password for a student of their own class


@pytest.fixture
def class_9b(teacher, student) -> Classroom:
    classroom = Classroom.objects.create(name="9B", owner=teacher)
    Enrolment.objects.create(classroom=classroom, student=student)
    return classroom


def password_url(classroom: Classroom, user: User) -> str:
    return reverse("admin:quizzes_classroom_student_password", args=[classroom.pk, user.pk])


def new_password(client: Client, classroom: Classroom, user: User, first=NEW_PASSWORD, second=NEW_PASSWORD):
    return client.post(password_url(classroom, user), {"new_password1": first, "new_password2": second})


def test_the_class_page_links_each_student_to_a_new_password(class_9b, student, teacher_client):
    page = teacher_client.get(reverse("admin:quizzes_classroom_change", args=[class_9b.pk])).content.decode()
    assert password_url(class_9b, student) in page and "Set a new password" in page


def test_a_teacher_sets_a_new_password_for_their_student_typed_twice_and_validated(class_9b, student, teacher_client):
    page = teacher_client.get(password_url(class_9b, student)).content.decode()
    assert "alex" in page and "9B" in page
    assert (
        "This password is too common."
        in new_password(teacher_client, class_9b, student, "password", "password").content.decode()
    )
    mismatch = new_password(teacher_client, class_9b, student, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert "didn’t match" in mismatch.content.decode()
    student.refresh_from_db()
    assert student.check_password(PASSWORD)
    response = new_password(teacher_client, class_9b, student)
    assert response["Location"] == reverse("admin:quizzes_classroom_change", args=[class_9b.pk])
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert log_in(Client(), "alex", NEW_PASSWORD).status_code == 302


def test_a_new_password_signs_the_student_out_elsewhere_and_lifts_their_lockout(
    class_9b, student, teacher_client, student_client
):
    school = Client()
    for _ in range(5):
        log_in(school, "alex", "wrong")
    assert log_in(school, "alex").status_code == 429
    new_password(teacher_client, class_9b, student)
    assert log_in(school, "alex", NEW_PASSWORD).status_code == 302
    # The old password's sessions end: the student's other device is asked to sign in again.
    assert student_client.get(reverse("accounts:password-change"))["Location"].startswith(LOGIN)


def test_nobody_else_reaches_a_student_s_new_password(
    class_9b, student, teacher, other_teacher_client, guest_client, student_client, superuser_client
):
    url = password_url(class_9b, student)
    assert other_teacher_client.get(url).status_code == 404
    assert new_password(other_teacher_client, class_9b, student).status_code == 404
    for client in (guest_client, student_client):
        assert client.get(url)["Location"].startswith(ADMIN_LOGIN)
    student.refresh_from_db()
    assert student.check_password(PASSWORD)
    # A superuser may act on any class.
    assert superuser_client.get(url).status_code == 200
    assert new_password(superuser_client, class_9b, student).status_code == 302


def test_a_teacher_reaches_neither_students_outside_their_class_nor_staff_accounts(
    class_9b, teacher, other_teacher, teacher_client, superuser, superuser_client
):
    outsider = User.objects.create_user("kim", password=PASSWORD)
    theirs = Classroom.objects.create(name="10C", owner=other_teacher)
    Enrolment.objects.create(classroom=theirs, student=outsider)
    assert teacher_client.get(password_url(class_9b, outsider)).status_code == 404
    assert teacher_client.get(password_url(theirs, outsider)).status_code == 404
    # A teacher or a superuser who joined the class as a student is a staff account: out of reach.
    for staff in (other_teacher, superuser):
        Enrolment.objects.create(classroom=class_9b, student=staff)
        assert new_password(teacher_client, class_9b, staff).status_code == 404
        assert new_password(superuser_client, class_9b, staff).status_code == 404
        staff.refresh_from_db()
        assert staff.check_password(PASSWORD)
    page = teacher_client.get(reverse("admin:quizzes_classroom_change", args=[class_9b.pk])).content.decode()
    assert password_url(class_9b, other_teacher) not in page


# 13. Limits per address: sign-ups, reset requests and password spraying


def test_failed_sign_ups_are_limited_per_address_and_the_message_stays(student, settings):
    settings.SIGNUP_FAILURES_PER_ADDRESS = 5
    school = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        probe = school.post(SIGNUP, signup_data(username="alex"))
        assert probe.status_code == 400 and "A user with that username already exists." in probe.content.decode()
    refused = school.post(SIGNUP, signup_data())  # even a good one, for now
    assert refused.status_code == 429
    assert "Too many sign-up attempts from this network" in refused.content.decode()
    assert "already exists" not in school.post(SIGNUP, signup_data(username="alex")).content.decode()
    assert not User.objects.filter(username="sasha").exists()
    # Another address is not held back.
    assert Client(REMOTE_ADDR="127.0.0.2").post(SIGNUP, signup_data())["Location"]


def test_a_class_signing_up_behind_one_address_is_not_held_back(db):
    assert settings.SIGNUP_FAILURES_PER_ADDRESS >= 60
    for number in range(30):  # each one gets a password refused first
        browser = Client(REMOTE_ADDR="127.0.0.1")
        assert browser.post(SIGNUP, signup_data(username=f"s{number}", password2="typo")).status_code == 400
        assert browser.post(SIGNUP, signup_data(username=f"s{number}")).status_code == 302
    assert User.objects.count() == 30


def test_successful_sign_ups_do_not_count_against_the_address(db, settings):
    settings.SIGNUP_FAILURES_PER_ADDRESS = 3
    for number in range(6):
        assert Client().post(SIGNUP, signup_data(username=f"s{number}")).status_code == 302


def test_reset_requests_are_limited_per_address(db, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 3
    Client().post(SIGNUP, signup_data(email="sasha@example.org"))
    for _ in range(3):
        assert Client().post(RESET, {"email": "sasha@example.org"}).status_code == 302
    refused = Client().post(RESET, {"email": "sasha@example.org"})
    assert refused.status_code == 429 and "Too many" in refused.content.decode()
    assert len(mail.outbox) == 3
    assert Client(REMOTE_ADDR="127.0.0.2").post(RESET, {"email": "sasha@example.org"}).status_code == 302


def test_password_spraying_across_usernames_is_locked_out_per_address(db):
    for number in range(30):
        User.objects.create_user(f"s{number}", password=PASSWORD)
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    sprayer = Client(REMOTE_ADDR="127.0.0.1")
    for number in range(limit - 1):  # one guess per username, never five for any one of them
        assert log_in(sprayer, f"user{number}", "Summer2024!").status_code == 200
    last = log_in(sprayer, "user-last", "Summer2024!")
    assert last.status_code == 429 and "for several accounts, from this network" in last.content.decode()
    for where in (LOGIN, ADMIN_LOGIN):  # then nothing more from that address, not even a right password
        locked = sprayer.post(where, {"username": "s1", "password": PASSWORD})
        assert locked.status_code == 429, where
        assert "for several accounts, from this network" in locked.content.decode()
    assert "_auth_user_id" not in sprayer.session
    assert log_in(Client(REMOTE_ADDR="127.0.0.2"), "s1").status_code == 302


def test_a_class_with_typos_behind_one_address_still_signs_in(db):
    assert settings.LOGIN_FAILURES_PER_ADDRESS >= 60
    for number in range(30):
        User.objects.create_user(f"s{number}", password=PASSWORD)
    for number in range(30):  # every student mistypes twice, then gets it right
        browser = Client(REMOTE_ADDR="127.0.0.1")
        log_in(browser, f"s{number}", "typo")
        log_in(browser, f"s{number}", "typo2")
        assert log_in(browser, f"s{number}").status_code == 302, number
