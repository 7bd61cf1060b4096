"""Signing up and logging in the way the browser posts the forms."""

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")


def signup_data(**changes) -> dict[str, str]:
    return {"username": "sasha", "display_name": "Sasha K.", "password1": PASSWORD, "password2": PASSWORD} | changes


def log_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)
