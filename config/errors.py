"""What the site answers when a request fails on the server's side."""

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

RETRY_AFTER = 3  # seconds: a lock held longer than the busy timeout is usually gone by then


def database_busy(error: BaseException | None) -> bool:
    """Whether `error` is the database refusing to wait any longer for a lock (SQLite's
    "database is locked" after its busy timeout): a moment's congestion, not a fault."""
    return isinstance(error, OperationalError) and "locked" in str(error)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except for a database too busy to write: then 503 with Retry-After and
    a sentence that says to try again, whichever layer met the lock (a view, or the session
    saved on the way out). Nothing was stored, so nothing is lost: the phone's script sends
    an answer again after Retry-After, and a person can press the button again."""
    if database_busy(sys.exc_info()[1]):
        response = HttpResponse(
            "The server is busy for a moment and saved nothing. Try again in a few seconds.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return django_server_error(request)
