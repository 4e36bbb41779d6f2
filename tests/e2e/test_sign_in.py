"""Signing in through the real form, in a real browser, under the real security headers."""

import re

from playwright.sync_api import expect


def test_a_person_signs_in_through_the_form_and_lands_on_the_overview(
    page, live_server, sign_in, executive, screenshot
):
    sign_in(page, executive)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_text(str(executive))).to_be_visible()
    screenshot(page)
    assert page.console_errors == [], "the page broke its Content-Security-Policy or threw"


def test_a_wrong_password_keeps_the_person_on_the_login_page_with_a_message(
    page, live_server, executive
):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(executive.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url(re.compile(r"/login/"))
