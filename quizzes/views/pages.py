"""One page, whole or in part: what an htmx request gets is the fragment it swaps in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """The partial `partial` of `template` for an htmx request, else the whole page. A history
    restore (the back button after the page was evicted from htmx's cache) gets the whole page."""
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
