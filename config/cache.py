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

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
LOG_EVERY = 60.0  # seconds between two log lines about the same broken cache


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
        key = "healthz"
        try:
            super().set(key, "ok", 10)
            return super().get(key) == "ok"
        except self.failures as error:
            self._failed("healthz", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except self.failures as error:
            self._failed("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except self.failures as error:
            self._failed("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except self.failures as error:
            self._failed("has_key", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except self.failures as error:
            self._failed("set", error)
            return None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except self.failures as error:
            self._failed("add", error)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except self.failures as error:
            self._failed("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except self.failures as error:
            self._failed("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except self.failures as error:
            self._failed("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except self.failures as error:
            self._failed("delete_many", error)
            return None

    def clear(self):
        try:
            return super().clear()
        except self.failures as error:
            self._failed("clear", error)
            return None


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
