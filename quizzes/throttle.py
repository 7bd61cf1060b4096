"""Limits per address on what a guesser can repeat with accounts.

django-axes counts failed logins per username and address (config/settings.py). Here:

- `LoginHandler`, axes's database handler with one more limit: the failures of every username
  from one address together (password spraying: one guess for each of many accounts), high
  enough that a school's classes behind one address never reach it.
- `attempt_begin`, the count of sign-ups that fail (each one says whether a username is taken)
  and of password-reset requests (each may send an e-mail), per address and hour.

Counted in the database, like wrong join codes (quizzes/live/joining.py): every worker and machine
shares the count, and the cache, which fails soft (config/cache.py), is not trusted with it.
"""

from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from quizzes.models import AccountAttempt

WINDOW = timedelta(hours=1)
WAIT = "Wait a while and try again, or ask your teacher."
SIGNUP_REFUSED = f"Too many sign-up attempts from this network in the last hour. {WAIT}"
RESET_REFUSED = f"Too many password-reset requests from this network in the last hour. {WAIT}"


class LoginHandler(AxesDatabaseHandler):
    """Failed logins counted per username and address (axes), and per address alone with a
    limit of its own (settings.LOGIN_FAILURES_PER_ADDRESS). Past either, every login from there
    is refused until the cool-off has passed; the lockout page says which (`login_address_locked`)."""

    def address_failures(self, request: HttpRequest) -> int:
        recent = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            request.login_address_locked = True  # read by templates/accounts/locked_out.html
            return max(failures, get_failure_limit(request, credentials))
        return failures


def attempt_begin(*, action: AccountAttempt.Action, ip: str, now: datetime | None = None) -> AccountAttempt | None:
    """Count one attempt of `action` from `ip`, or refuse it (None) when the address has made its
    limit of them in the last hour. A refused attempt is not counted, so waiting is enough. A
    caller whose attempt succeeded and should not count (a sign-up that worked) deletes the row.

    Checked and written in one transaction, one address at a time, so simultaneous attempts
    cannot all slip under the limit."""
    now = now or timezone.now()
    limit = {
        AccountAttempt.Action.SIGNUP: settings.SIGNUP_FAILURES_PER_ADDRESS,
        AccountAttempt.Action.RESET: settings.PASSWORD_RESETS_PER_ADDRESS,
    }[action]
    with transaction.atomic():
        # SQLite's IMMEDIATE transactions already take turns; PostgreSQL locks the address.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"quizzes.account:{action}:{ip}"])
        AccountAttempt.objects.filter(created_at__lte=now - WINDOW).delete()
        if AccountAttempt.objects.filter(action=action, ip=ip, created_at__gt=now - WINDOW).count() >= limit:
            return None
        return AccountAttempt.objects.create(action=action, ip=ip, created_at=now)
