"""Cache backends that fail soft: the cache is a helper, never the truth.

Every reader of the cache (sessions through `cached_db`, the live sessions' stamp and shared
screens, rendered Markdown, cached pages) falls back to the database or to rendering when the
cache answers nothing. These backends make a cache that cannot be reached (Redis down, a cache
folder that cannot be written) answer nothing instead of raising, so a dead cache slows the
site down but never takes a page down. The failure is logged once a minute per process, not
once per request; `healthy()` tells /healthz the truth.
"""

import logging
import time

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
LOG_EVERY = 60.0  # seconds between two log lines about the same broken cache


def _soft(name: str, nothing):
    """The cache operation `name`, answering `nothing(*arguments)` when the cache fails."""

    def operation(self, *args, **kwargs):
        try:
            return getattr(super(ForgivingCache, self), name)(*args, **kwargs)
        except self.failures as error:
            self._failed(name, error)
            return nothing(*args, **kwargs)

    operation.__name__ = name
    return operation


class ForgivingCache:
    """Mixed into a Django cache backend, before it: each operation that fails with one of
    `failures` answers as a cache that holds nothing would."""

    failures: tuple[type[Exception], ...] = ()
    _logged_at = float("-inf")

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY:
            type(self)._logged_at = now
            logger.error("The cache failed (%s: %r); reading the database instead until it is back", operation, error)

    def healthy(self) -> bool:
        """Whether the cache can be written and read back now."""
        try:
            super().set("healthz", "ok", 10)
            return super().get("healthz") == "ok"
        except self.failures as error:
            self._failed("healthz", error)
            return False

    get = _soft("get", lambda key, default=None, version=None: default)
    get_many = _soft("get_many", lambda *args, **kwargs: {})
    has_key = _soft("has_key", lambda *args, **kwargs: False)
    set = _soft("set", lambda *args, **kwargs: None)
    add = _soft("add", lambda *args, **kwargs: False)
    set_many = _soft("set_many", lambda data, *args, **kwargs: list(data))
    touch = _soft("touch", lambda *args, **kwargs: False)
    delete = _soft("delete", lambda *args, **kwargs: False)
    delete_many = _soft("delete_many", lambda *args, **kwargs: None)
    clear = _soft("clear", lambda *args, **kwargs: None)


class FileCache(ForgivingCache, FileBasedCache):
    """Django's file cache (a folder every worker on the machine shares), failing soft."""

    failures = (OSError, EOFError)

    def _createdir(self):
        # Django makes the folder when the cache is first used, and again on every write.
        try:
            super()._createdir()
        except self.failures as error:
            self._failed("making its folder", error)


class RedisSharedCache(ForgivingCache, RedisCache):
    """Django's Redis cache (shared by every machine), failing soft."""

    failures = (RedisError, OSError)
