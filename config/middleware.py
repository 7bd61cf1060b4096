"""Small additions to Django's responses."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
