"""Student accounts: sign up, log in, log out, change or reset a password, with Django's auth.

Signing in cycles the session key. Signing up or in *here* carries this browser's guest
progress into the account; the admin's login never does, and a staff account never takes a
guest's progress (`learner_claim`): a teacher who signs in on a student's browser leaves it
there, and signing out gives it back to the browser (`guest_kept`).

Failed logins are throttled by django-axes per username and IP address, so a class behind one
school address is not locked out by one student's typos, and per address alone with a higher
limit against password spraying (`quizzes.throttle`). Failed sign-ups and reset requests are
limited per address too.
"""

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from config.middleware import client_ip
from quizzes.forms import SignupForm
from quizzes.models import AccountAttempt
from quizzes.services.learners import account_create, guest_kept, learner_claim
from quizzes.throttle import RESET_REFUSED, SIGNUP_REFUSED, attempt_begin

BACKEND = "django.contrib.auth.backends.ModelBackend"


ACCOUNTS = "/accounts/"


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing up or in: `next` if it is on this site and not an account page
    (going back to the login page once signed in would loop), else the home page, where the
    student's homework is."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe and not url.startswith(ACCOUNTS) else resolve_url("explainer:home")


GUEST_LEFT = (
    "You are signed in with a staff account, so what was done as a guest in this browser was not "
    "added to your account. It stays with this browser, for its student, when you log out."
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return "" if url.startswith(ACCOUNTS) else url

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)  # signed in
        if not learner_claim(request=self.request, user=form.get_user()):
            messages.info(self.request, GUEST_LEFT)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with guest_kept(request):
            return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a link to every account with that e-mail address (none, without one), and says the
    same whether or not there is one. Requests are limited per address: each may send an e-mail."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form) -> HttpResponse:
        if attempt_begin(action=AccountAttempt.Action.RESET, ip=client_ip(self.request)) is None:
            return self.render_to_response(self.get_context_data(form=form, refused=RESET_REFUSED), status=429)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # The account's owner has shown they hold its e-mail: a login lockout on it ends here.
        axes_reset(username=form.user.get_username())
        return response


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username django-axes records, cut to the longest a username can be: a 300-character
    guess must be refused as a wrong password, not overflow axes's column."""
    source = credentials if credentials is not None else request.POST
    return str(source.get("username", ""))[:150]


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    attempt = None
    if request.method == "POST":
        # Counted before the form is read: a refused attempt learns nothing of the username.
        attempt = attempt_begin(action=AccountAttempt.Action.SIGNUP, ip=client_ip(request))
        if attempt is None:
            context = {"form": SignupForm(), "next": _next_url(request), "refused": SIGNUP_REFUSED}
            return render(request, "accounts/signup.html", context, status=429)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = account_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
            )
        except IntegrityError:
            # A double click: the first request took the name between this one's check and its insert.
            form.add_error("username", "A user with that username already exists.")
            return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=400)
        attempt.delete()  # a sign-up that worked does not count against the address
        login(request, user, backend=BACKEND)
        learner_claim(request=request, user=user)
        messages.success(request, f"Welcome, {user.learner.name}. Your progress is now kept in your account.")
        return redirect(_next_url(request))
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=status)
