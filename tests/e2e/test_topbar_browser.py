"""The top bar as a person sees it: the user menu (logout, tokens, password, settings) readable
against the bar, and the organisation's name shown, on a wide screen, a laptop and a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

# Reads the colours the browser really painted and returns the WCAG contrast ratio.
CONTRAST = """
(element) => {
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let background = element;
  while (background && getComputedStyle(background).backgroundColor.includes("rgba(0, 0, 0, 0)")) {
    background = background.parentElement;
  }
  const fg = luminance(rgb(getComputedStyle(element).color));
  const bg = luminance(rgb(getComputedStyle(background).backgroundColor));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


@pytest.mark.parametrize("width", [1400, 1280, 390])
def test_user_menu_is_readable_and_the_organisation_is_named(
    browsing: Any, e2e_tenant: Any, width: int
) -> None:
    page = browsing.new_page(viewport={"width": width, "height": 850}, locale="en-GB")
    browsing.log_in(e2e_tenant.admin.email, TEST_PASSWORD, page=page)
    menu = page.get_by_test_id("usermenu")
    expect(menu).to_be_visible()
    assert menu.evaluate(CONTRAST) >= 4.5, "the user menu is not readable on the top bar"
    organisation = page.get_by_test_id("brand-org")
    expect(organisation).to_be_visible()
    expect(organisation).to_have_text(e2e_tenant.organisation.name)
    box = organisation.bounding_box()
    assert box and box["width"] > 20 and box["x"] + box["width"] <= width
    assert organisation.evaluate(CONTRAST) >= 4.5
    menu.click()
    expect(page.get_by_role("button", name=re.compile("^Log out$"))).to_be_visible()
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()
    browsing.screenshot(f"topbar-menu-{width}", page=page)
    browsing.problems.assert_none()
