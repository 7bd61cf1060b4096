"""Playwright drives Debian's Chromium (playwright's own browser download is not available)."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import ensure_content

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture
def site(transactional_db, live_server) -> str:
    """The live site with its content; returns its base URL (loopback)."""
    ensure_content()
    return live_server.url


def console_problems(page) -> list[str]:
    """From now on, `page`'s console errors (the browser reports CSP violations there too) and
    uncaught page errors, collected in the list returned."""
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


@pytest.fixture
def problems(page) -> list[str]:
    return console_problems(page)


def serious_accessibility_violations(page) -> list[str]:
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core", "axe ran in the page"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
