"""Settings for Milk War Classroom, read from the environment.

Every variable is documented in `.env.example`. Defaults suit local development:
clone, `make run`, and it works on a SQLite file next to this folder.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a true/false variable; anything else is a configuration error, not a silent False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"true", "1", "yes", "on"}:
        return True
    if value.lower() in {"false", "0", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)


def secret_key_kept(path: Path) -> str:
    """The key in `path`, made there once (readable by its owner alone) if it is not there yet:
    a restart keeps every session, sign-in and guest's progress that the key signs."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and os.environ.get("DJANGO_SECRET_KEY_FILE"):
    SECRET_KEY = secret_key_kept(Path(os.environ["DJANGO_SECRET_KEY_FILE"]))
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) when DJANGO_DEBUG is false")
    SECRET_KEY = "django-insecure-local-development-only-" + "x" * 20

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.apps.ClassroomAdminConfig",  # Django's admin, with view-on-site links scoped (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "explainer",
    "quizzes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.method_not_allowed_message",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into a 429 page
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite by default. WAL lets readers carry on while one writer writes, and IMMEDIATE
# transactions take the write lock up front: with Django's default DEFERRED mode,
# simultaneous writers fail with "database is locked" instead of waiting their turn.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    # Seconds a writer waits for the lock (sqlite3's busy timeout). Past it the request answers
    # 503 with Retry-After (config/errors.py) rather than hold a worker any longer.
    "timeout": 5,
    "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # Tests use a file, not memory: the concurrency tests answer from many threads, and an
    # in-memory database is one connection's alone. One file per test run (two may run at once).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".cache" / f"test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Live sessions' polls read the session's state from this cache, so every worker must share it:
# Redis when REDIS_URL is set (several machines), otherwise files in DJANGO_CACHE_DIR, which
# every worker on one machine shares (files are written whole and renamed into place).
# The cache is a helper, never the truth: these backends answer "nothing cached" when the cache
# cannot be reached, and every reader falls back to the database (config/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisSharedCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer costs a request half a second at most, not a worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FileCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache" / "django")),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["config.formats"]  # dates typed and shown as "08 Dec 2026" in forms
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. The CSP forbids inline scripts and inline styles: behaviour lives in static/js,
# presentation in static/css, and the scripts we do include carry the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS: on by default in production. `make serve` turns it off to run on plain http locally.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's health check arrives over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]

# Students sign in at /accounts/login/; teachers at /admin/, which has its own login page.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "explainer:home"  # where a student's homework is
LOGOUT_REDIRECT_URL = "explainer:home"

# A guest's progress lives as long as their browser session: a school year and a little more.
# (Browsers cap a cookie's lifetime at 400 days.)
SESSION_COOKIE_AGE = 60 * 60 * 24 * 395
# Sessions are read through the shared cache (written to both): a live session's phones find
# their player without a database read, on whichever worker or machine serves them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Failed logins are throttled by django-axes, per username *and* IP address together: a whole
# class behind one school address is not locked out by one student's typos, and a guesser
# cannot try more than a few passwords for one account. The count is kept in the database,
# so every worker shares it. The address is REMOTE_ADDR, or behind a proxy (DJANGO_BEHIND_PROXY)
# the one the proxy appends to X-Forwarded-For (see config.middleware.client_ip).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Password spraying (one guess for each of many usernames) is limited per address too, with a
# limit of its own that a school's classes behind one address do not reach: axes compares every
# parameter set with the one AXES_FAILURE_LIMIT, so our handler adds this count (quizzes/throttle.py).
# A student's failures stop counting once they sign in.
AXES_HANDLER = "quizzes.throttle.LoginHandler"
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("DJANGO_LOGIN_FAILURES_PER_ADDRESS") or "100")
# A login refused during a lockout (even with the right password) does not restart the wait: a
# class that keeps trying behind a locked address gets in 15 minutes after the last real failure.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "quizzes.views.accounts.axes_username"
# Sign-ups that fail (each one tells whether a username is taken) and password-reset requests
# (each may send an e-mail), per address and hour, counted in the database (quizzes/throttle.py).
SIGNUP_FAILURES_PER_ADDRESS = int(os.environ.get("DJANGO_SIGNUP_FAILURES_PER_ADDRESS") or "100")
PASSWORD_RESETS_PER_ADDRESS = int(os.environ.get("DJANGO_PASSWORD_RESETS_PER_ADDRESS") or "20")
# A signed-in session lasts two weeks, not a guest's school year: on a shared classroom
# computer the next student must not find the last one still signed in.
SIGNED_IN_SESSION_AGE = timedelta(days=14)

# E-mail: only password-reset links are sent. In development the console backend prints them to
# the terminal; in production (where `check --deploy` refuses the console, which would put reset
# links in the server's log) they go to the SMTP server EMAIL_HOST. The variables keep the names
# of Django's old EMAIL_* settings; Django 6.1 takes them as MAILERS.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND")
        or f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend"
    }
}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    if env_bool("EMAIL_USE_TLS", False) and env_bool("EMAIL_USE_SSL", False):
        raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465), not both")
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST") or "localhost",
        # Without EMAIL_PORT: 587 with TLS, 465 with SSL, else 25.
        "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        # Seconds: a mail server that does not answer must not hold a worker for long.
        "timeout": int(os.environ.get("EMAIL_TIMEOUT") or "10"),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "webmaster@localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Content shipped with the app (explainer/content) and loaded by `manage.py load_content`.
CONTENT_DIR = BASE_DIR / "explainer" / "content"
