"""Student accounts: sign up, log in, log out, change password, with Django's auth.

Signing in (here, by sign-up, or in the admin) cycles the session key and carries this
browser's guest progress into the account (`quizzes.apps`). Failed logins are throttled per
username and IP address by django-axes: a class behind one school address is not locked out
by one student's typos.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from quizzes.forms import SignupForm
from quizzes.services import account_create

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe else resolve_url("quizzes:progress")


@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = account_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
        )
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome, {user.learner.name}. Your progress is now kept in your account.")
        return redirect(_next_url(request))
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)}, status=status)
