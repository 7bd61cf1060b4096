"""Security baseline: CSP and the usual headers on every response, no inline script or style,
and a clean `check --deploy` under production settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import READING_PAGES

OTHER_RESPONSES = ["/healthz", "/topics/no-such-topic/", "/admin/login/", "/no-such-page/"]


def csp_directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", READING_PAGES + OTHER_RESPONSES)
def test_every_response_carries_the_csp_and_security_headers(content, client, url):
    response = client.get(url)

    directives = csp_directives(response)
    # The nonce appears whenever the page used it (every HTML page loads htmx with it).
    assert re.fullmatch(r"script-src 'self'( 'nonce-[\w+/=-]+')?", directives["script-src"])
    if "text/html" in response.headers["Content-Type"]:
        assert "'nonce-" in directives["script-src"]
    assert directives["style-src"] == "style-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", READING_PAGES)
def test_pages_have_no_inline_script_or_style_and_scripts_carry_the_nonce(content, client, url):
    response = client.get(url)
    html = response.text
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx is loaded on every page"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
        assert "src=" in tag
    assert all(not body.strip() for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S))
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "no event-handler attributes"
    assert "hx-on" not in html


def test_htmx_is_vendored_htmx_2_and_nothing_comes_from_a_cdn(content, client):
    for url in READING_PAGES:
        html = client.get(url).text
        assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html), url
        assert "htmax-4" not in html
        # Nothing the page loads (scripts, styles, images, icons) comes from another host.
        assert not re.search(r"""<(script|link|img|iframe|source)\b[^>]*(src|href)=["'](https?:)?//""", html), url
        # (In the addresses: a random nonce or CSRF token may well contain "cdn".)
        addresses = " ".join(re.findall(r"""(?:src|href)=["']([^"']*)""", html)).lower()
        assert "unpkg" not in addresses and "cdn" not in addresses


def test_htmx_config_disables_inline_indicator_styles(content, client):
    html = client.get("/").text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def manage_check(*options: str, **env: str) -> subprocess.CompletedProcess:
    """`manage.py check` in a fresh process with `env` on top of this one's environment."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment would not.
    base = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=Path(settings.BASE_DIR),
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage_check(
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-real-secret-key-for-the-deploy-check-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="classroom.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) when DJANGO_DEBUG is false" in result.stderr


def test_a_bad_boolean_setting_is_a_clear_error():
    result = manage_check(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'maybe'" in result.stderr
