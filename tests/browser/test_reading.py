"""A student reads the story in a real browser: home, an explainer, a citation, a glossary
term by keyboard. Every page passes axe with no serious or critical violation, and shows
no console error and no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import READING_PAGES

pytestmark = pytest.mark.browser


def test_student_follows_a_citation_and_opens_a_glossary_term_by_keyboard(site, page, problems):
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Russia–Belarus “milk war”")

    page.locator(".cards").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/topics/csto/$"))
    topic_url = page.url

    citation = page.locator("article a.cite").first
    anchor = citation.get_attribute("href").split("#")[1]
    citation.click()
    expect(page).to_have_url(re.compile(rf"/article/#{anchor}$"))
    sentence = page.locator(f"#{anchor}")
    expect(sentence).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == anchor
    expect(sentence).to_have_css("background-color", "rgb(255, 241, 184)")
    expect(sentence.get_by_role("link", name=re.compile("The CSTO"))).to_be_visible()

    page.goto(topic_url)
    first_term = page.locator("article a.term").first
    term_anchor = first_term.get_attribute("href").removeprefix("#")
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('term')"):
            break
    else:
        pytest.fail("No glossary term link could be reached with Tab")
    focused_term = page.evaluate("document.activeElement.getAttribute('href')").removeprefix("#")
    page.keyboard.press("Enter")

    definition = page.locator(f"#{focused_term}")
    expect(definition).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == focused_term
    expect(definition.locator("dd")).to_contain_text("In the glossary")
    assert focused_term == term_anchor
    assert problems == []


@pytest.mark.parametrize("path", READING_PAGES)
def test_every_page_passes_axe_without_console_or_csp_errors(site, page, problems, path):
    response = page.goto(site + path)
    assert response.status == 200
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert serious_accessibility_violations(page) == []
    assert problems == []


def test_an_inline_script_would_be_blocked_and_reported(site, page, problems):
    # Proves the problems fixture sees CSP violations: the browser refuses an injected inline script.
    page.goto(site + "/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    assert page.evaluate("window.ran === undefined")
    assert any("Content Security Policy" in problem for problem in problems)
