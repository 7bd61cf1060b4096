"""Small additions to Django's responses."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind our proxy (DJANGO_BEHIND_PROXY) it is the last address in
    X-Forwarded-For, the one the proxy itself appended: the earlier ones are whatever the client
    claimed. Otherwise REMOTE_ADDR."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def method_not_allowed_message(get_response: Callable[[HttpRequest], HttpResponse]):
    """Give a 405 a sentence saying what to do; Django's `require_*` decorators send an empty body."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            allowed = response.get("Allow", "")
            response.content = f"This address does not accept {request.method}; it accepts {allowed}.\n".encode()
            response["Content-Type"] = "text/plain; charset=utf-8"
        return response

    return middleware
