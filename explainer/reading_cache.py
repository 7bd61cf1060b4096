"""The public reading pages, served from the shared cache per content version.

A topic page costs 20–90 ms of template work; everything on it but a few per-request bits is
the same for every reader until the content changes. So a page is rendered once per content
version into a *shell*: the whole page, with holes where each response needs its own

- CSP nonce and CSRF token (markers passed as `csp_nonce` and `csrf_token`, so nothing of one
  reader's ever reaches another),
- account box (`base.html#account`: "Log in" for a guest, the name and "Log out" otherwise),
- messages (`base.html#messages`).

Serving a page is then one small cache read (the version) and a join, whoever asks; a
signed-in reader adds their account box (one small partial). A whole-page shell rather than
`{% cache %}` fragments: with fragments, every request still renders base.html (about 1 ms,
several times `/livez`).

The content version is one key in the cache, replaced whenever the content changes: any save,
delete or relation change of an explainer model (the admin, the shell, anything but raw SQL and
`QuerySet.update`), and every `load_content`, whatever it changed. A page entry remembers the
version it was rendered at; a different version means render again. The cache is a helper,
never the truth: if it fails, pages render as usual.
"""

import functools
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

VERSION_KEY = "reading:version"
# A page entry outlives no version bump; the timeout only bounds how long a page could stay
# stale if the cache was unreachable when the content changed (the bump then fails).
PAGE_TIMEOUT = 60 * 60

HOLES = ("nonce", "csrf", "account", "messages")
ENTRY_FORMAT = 1  # in every page's key: change it with the shape of an entry (version, texts, holes, guest_account)


@functools.cache
def _marker_secret() -> str:
    # The same in every worker (the shells are shared), and unguessable, so no text a teacher
    # writes can contain a hole.
    return salted_hmac("explainer.reading_cache", "holes", algorithm="sha256").hexdigest()[:24]


def _marker(hole: str) -> str:
    return f"hole-{hole}-{_marker_secret()}"


@functools.cache
def _holes_pattern() -> re.Pattern[bytes]:
    return re.compile(f"hole-({'|'.join(HOLES)})-{_marker_secret()}".encode())


_warned = False


def _warn_once(message: str) -> None:
    global _warned  # one warning per process, not one per request
    if not _warned:
        _warned = True
        logger.warning(message, exc_info=True)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        _warn_once("The reading pages' cache could not be invalidated; cached pages may be stale for up to an hour.")


# Inside `changes_batched()`: the rows changed count as one change, made on leaving.
_batched: ContextVar[bool] = ContextVar("reading_cache_batched", default=False)


def content_changed(**kwargs) -> None:
    """Retire every cached reading page (a signal receiver; also callable directly)."""
    if _batched.get() or kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed says so twice: before and after
    _new_version()
    # A page rendered by another request before this transaction commits shows the old rows under
    # the new version: a second version, once committed, retires it too.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_version)


@contextmanager
def changes_batched() -> Iterator[None]:
    """Count every change to the content inside as one, made on leaving: a first `load_content`
    saves some 1,400 rows and relations, each a version to write (a file, with the file cache)."""
    token = _batched.set(True)
    try:
        yield
    finally:
        _batched.reset(token)
        content_changed()


def connect_signals() -> None:
    """Any change to the reading side's rows, wherever it comes from, changes the content version."""
    for model in apps.get_app_config("explainer").get_models(include_auto_created=True):
        uid = f"reading_cache.{model._meta.label_lower}"
        post_save.connect(content_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid)
        if model._meta.auto_created:  # the through table of a many-to-many relation
            m2m_changed.connect(content_changed, sender=model, dispatch_uid=uid)


# A shell never changes within a version, so each process keeps the last one of each page it
# served and reads only the (tiny) version from the shared cache per request: reading a 50 KB
# page from the file cache and decompressing it costs as much again as the rest of the request.
# Kept no longer than the shared entry, so a failed invalidation is as short-lived here.
_local: dict[str, tuple[float, tuple]] = {}
LOCAL_PAGES = 200  # the pages there are, with room to spare; never reached unless they multiply


def _read(key: str) -> tuple[str | None, tuple | None]:
    """The content version (None if the cache holds none and takes none), and the page entry
    stored under `key` if it is of that version."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        return cache.get(VERSION_KEY), None
    expires, entry = _local.get(key, (0.0, None))
    if entry is None or entry[0] != version or expires < time.monotonic():
        entry = cache.get(key)
        if entry is None or entry[0] != version:
            return version, None
        _remember(key, entry)
    return version, entry


def _remember(key: str, entry: tuple) -> None:
    if len(_local) >= LOCAL_PAGES:
        _local.clear()
    _local[key] = (time.monotonic() + PAGE_TIMEOUT, entry)


def _shell(request: HttpRequest, response: TemplateResponse) -> tuple[list[bytes], list[str], str]:
    """Render `response` with markers for every per-request bit. Returns the text between the
    markers, the holes in order, and the guest's account box."""
    response.context_data = {
        **(response.context_data or {}),
        "csp_nonce": _marker("nonce"),
        "csrf_token": _marker("csrf"),
        "page_holes": {hole: _marker(hole) for hole in ("account", "messages")},
        # Whatever a page template might read of the reader is a stranger's.
        "user": AnonymousUser(),
        "messages": (),
    }
    response.render()
    # Bytes, as sent: a response is then one join, with nothing to encode but the holes.
    parts = _holes_pattern().split(response.content)
    texts, holes = parts[0::2], [hole.decode() for hole in parts[1::2]]
    # A guest's account box depends on the path only, like the page: kept with it.
    guest_account = render_to_string("base.html#account", {"user": AnonymousUser()}, request)
    return texts, holes, guest_account


def _hole(request: HttpRequest, hole: str, guest_account: str) -> str:
    """What fills `hole` for this request."""
    if hole == "nonce":
        nonce = get_nonce(request)  # a LazyNonce: false until read, hence no `or ""`
        return "" if nonce is None else str(nonce)
    if hole == "csrf":
        return get_token(request)
    if hole == "account":
        if request.user.is_authenticated:
            return render_to_string("base.html#account", request=request)
        return guest_account
    if get_messages(request):
        return render_to_string("base.html#messages", request=request)
    return ""


def _fill(request: HttpRequest, texts: list[bytes], holes: list[str], guest_account: str) -> HttpResponse:
    values = {hole: _hole(request, hole, guest_account).encode() for hole in set(holes)}
    chunks = [texts[0]]
    for hole, text in zip(holes, texts[1:], strict=True):
        chunks += (values[hole], text)
    return HttpResponse(b"".join(chunks))


def page_key(request: HttpRequest, query: tuple[str, ...] = ()) -> str:
    """The cache key of the page at `request.path`, with the query parameters the page reads."""
    address = request.path + "?" + "&".join(f"{name}={request.GET.get(name, '')}" for name in query)
    # With the markers' secret: shells made under another SECRET_KEY have holes this one cannot see.
    return f"reading:page:{ENTRY_FORMAT}:" + hashlib.sha256(f"{_marker_secret()}:{address}".encode()).hexdigest()


def serve(request: HttpRequest, key: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page cached under `key`, or `render()`'s page, cached, if it is a 200 TemplateResponse.

    Either way the reader gets their own nonce, CSRF token, account box and messages.
    """
    try:
        version, entry = _read(key)
    except Exception:
        _warn_once("The reading pages' cache could not be read; rendering pages instead.")
        return render()
    if version is None:
        return render()  # a cache that keeps nothing (config/cache.py's, when it is down)
    if entry is None:
        response = render()
        if not isinstance(response, TemplateResponse) or response.status_code != 200:
            return response
        entry = (version, *_shell(request, response))
        _remember(key, entry)
        try:
            cache.set(key, entry, timeout=PAGE_TIMEOUT)
        except Exception:
            _warn_once("The reading pages' cache could not be written; rendering pages instead.")
    _, texts, holes, guest_account = entry
    return _fill(request, texts, holes, guest_account)


def cached_page(*, query: tuple[str, ...] = ()) -> Callable:
    """Serve a view's page from the cache per content version (see `serve`). The view returns a
    TemplateResponse, is the same for every reader, and reads only the `query` parameters."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return serve(request, page_key(request, query), lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator
