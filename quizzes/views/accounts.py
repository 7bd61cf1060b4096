"""Student accounts: sign up, log in, log out, change password, with Django's auth.

Signing in (here, by sign-up, or in the admin) cycles the session key and carries this
browser's guest progress into the account (`quizzes.apps`). Failed logins are throttled per
username and IP address by django-axes: a class behind one school address is not locked out
by one student's typos.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from quizzes.forms import SignupForm
from quizzes.services import account_create

BACKEND = "django.contrib.auth.backends.ModelBackend"


ACCOUNTS = "/accounts/"


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing up or in: `next` if it is on this site and not an account page
    (going back to the login page once signed in would loop), else the progress page."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe and not url.startswith(ACCOUNTS) else resolve_url("quizzes:progress")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        return "" if url.startswith(ACCOUNTS) else url


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
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = account_create(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except IntegrityError:
            # A double click: the first request took the name between this one's check and its insert.
            form.add_error("username", "A user with that username already exists.")
            return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=400)
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome, {user.learner.name}. Your progress is now kept in your account.")
        return redirect(_next_url(request))
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=status)
