"""Layout on every page a person can reach from the navigation: for each role (administrator,
manager, employee) at 1400 px and 390 px wide, the document is never wider than the window and no
element covers another element's text. Wide tables may scroll inside their own container
(``.table-wrap``, overflow-x: auto) as long as the page itself does not."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

# Layout does not depend on the database engine, and the crawl is the suite's longest browser
# test: it runs in the SQLite pass only.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("OUTSIDEIN_DATABASE_URL", "").startswith("postgres"),
        reason="layout is database-independent; runs in the SQLite pass",
    ),
]

WIDTHS = (1400, 390)

# Returns the layout problems of the page as readable lines: the document wider than the window
# (naming the outermost elements that stick out and are not inside a scroll container), and text
# that another element's text or control covers.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const width = window.innerWidth;
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
    const tid = el.getAttribute && el.getAttribute("data-testid");
    if (tid) s += "[data-testid=" + tid + "]";
    const parent = el.parentElement;
    const up = parent && parent !== document.body
      ? name(parent).split(" > ").slice(-1)[0] + " > " : "";
    const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return up + s + (text ? ' "' + text + '"' : "");
  };
  const visible = (el) => {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const closed = el.closest("details:not([open])");
    if (closed && !el.closest("summary")) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && Number(style.opacity) > 0;
  };
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  const docWidth = document.documentElement.scrollWidth;
  if (docWidth > width + 1) {
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1 || !visible(el) || scrolls(el)) continue;
      if (wide.some((w) => w.contains(el))) continue;
      wide.push(el);
      if (wide.length >= 3) break;
    }
    // Otherwise: positioned elements that escape their scroll container (e.g. visually hidden
    // text in a table that scrolls, whose containing block is the page).
    for (const el of wide.length ? [] : document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      const position = getComputedStyle(el).position;
      if (r.right <= width + 1 || (position !== "absolute" && position !== "fixed")) continue;
      wide.push(el);
      if (wide.length >= 3) break;
    }
    problems.push("document is " + docWidth + " px wide in a " + width + " px window; too wide: "
      + wide.map((el) => name(el) + " (right edge "
        + Math.round(el.getBoundingClientRect().right) + " px)").join("; "));
  }
  // Text boxes: each line of each visible text node; control boxes: form controls and media.
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !visible(el)) continue;
    const ignored = "script, style, noscript, template, option, .visually-hidden, .skip-link";
    if (el.closest(ignored)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 1 && r.height > 1) boxes.push({ el, r, text: true });
    }
  }
  const controls = "input:not([type=hidden]), select, textarea, img, canvas, svg, meter, progress";
  for (const el of document.body.querySelectorAll(controls)) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 1 && r.height > 1) boxes.push({ el, r, text: false });
  }
  boxes.sort((a, b) => a.r.top - b.r.top);
  const seen = new Set();
  for (let i = 0; i < boxes.length && problems.length < 6; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j];
      if (b.r.top >= a.r.bottom - 3) break;
      if (!a.text && !b.text) continue;
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w <= 3 || h <= 3) continue;
      const key = name(a.el) + "|" + name(b.el);
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(name(b.el) + " overlaps the text of " + name(a.el) + " (" + Math.round(w) + "x"
        + Math.round(h) + " px at " + Math.round(b.r.left) + ","
        + Math.round(b.r.top + window.scrollY) + ")");
    }
  }
  return problems;
}
"""

# Links offered by the navigation: the main navigation, every sub-navigation in the page and the
# user menu; and the links in the page's content (to find one detail page per list).
LINKS = """
() => ({
  nav: [...document.querySelectorAll(".mainnav a, main nav a, .usermenu a")].map((a) => a.href),
  content: [...document.querySelectorAll("main a[href]")].map((a) => a.href),
  subnavs: [...document.querySelectorAll("nav.subnav")].map((nav) => ({
    area: nav.dataset.testid || nav.getAttribute("aria-label"),
    links: [...nav.querySelectorAll("a")].map((a) => new URL(a.href).pathname),
    current: [...nav.querySelectorAll("a[aria-current=page]")].map((a) => new URL(a.href).pathname),
  })),
})
"""

# Not pages of the application (API, admin, public survey pages, downloads).
SKIP = re.compile(
    r"^/(api/|django-admin/|i18n/|jsi18n/|r/|static/|media/|logout)"
    r"|/(download|export)|\.(csv|xlsx|pdf|png|json|svg)$|/(csv|xlsx|pdf|png)/$"
)
DETAIL = re.compile(r"/\d+/$")


def _path(url: str, origin: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    return parts.path


@dataclass
class Visit:
    """What one role saw: the pages, the layout problems, the sub-navigations per area."""

    role: str
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    subnavs: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)

    def check(self, page: Any, path: str, width: int) -> dict[str, Any]:
        for problem in page.evaluate(LAYOUT_PROBLEMS):
            self.problems.append(f"{self.role} at {width} px on {path}: {problem}")
        links: dict[str, Any] = page.evaluate(LINKS)
        for nav in links["subnavs"]:
            self.subnavs.setdefault(nav["area"], set()).add(tuple(nav["links"]))
            if len(nav["current"]) != 1 and path in nav["links"]:
                self.problems.append(
                    f"{self.role} on {path}: the {nav['area']} sub-navigation marks "
                    f"{nav['current'] or 'no link'} as current"
                )
        return links


def _open(page: Any, origin: str, path: str) -> bool:
    response = page.goto(origin + path)
    return bool(
        response is not None
        and response.ok
        and "text/html" in response.headers.get("content-type", "")
        and _path(page.url, origin) == path
    )


def visit_everything(
    browser: Any, origin: str, role: str, email: str, password: str, language: str = "en"
) -> Visit:
    """Logs in once; at 1400 px follows the navigation from the overview (main navigation,
    sub-navigations, user menu) and then one detail page per kind of link found in the content,
    checking each page; then checks the same pages at 390 px with the same login."""
    visit = Visit(role)
    context = browser.new_context(
        base_url=origin, viewport={"width": 1400, "height": 900}, locale="en-GB"
    )
    page = context.new_page()
    page.goto(origin + "/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.get_by_test_id(f"lang-{language}").click()
    page.wait_for_load_state()
    queue, seen = ["/"], {"/"}
    details: dict[str, str] = {}
    while queue:
        path = queue.pop(0)
        if not _open(page, origin, path):
            continue
        visit.pages.append(path)
        links = visit.check(page, path, 1400)
        for url in links["nav"]:
            link = _path(url, origin)
            if link and link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)
        for url in links["content"]:
            link = _path(url, origin)
            if link and DETAIL.search(link) and not SKIP.search(link):
                details.setdefault(re.sub(r"\d+", "N", link), link)
    for path in sorted(set(details.values()) - seen):
        if _open(page, origin, path):
            visit.pages.append(path)
            visit.check(page, path, 1400)
    state = context.storage_state()
    context.close()
    phone = browser.new_context(
        base_url=origin,
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        storage_state=state,
    )
    page = phone.new_page()
    for path in visit.pages:
        if _open(page, origin, path):
            visit.check(page, path, 390)
    phone.close()
    return visit


def test_every_page_fits_at_1400_and_390_px_for_every_role(browser: Any, live_server: Any) -> None:
    """The demo organisation, as its administrator, a team lead and an employee."""
    from outsidein.core.demo import DEMO_PASSWORD, LOGINS
    from outsidein.demo import seed_all

    seed_all()
    visits = [
        visit_everything(browser, live_server.url, login.role, login.email, DEMO_PASSWORD)
        for login in LOGINS
    ]
    problems = [problem for visit in visits for problem in visit.problems]
    for visit in visits:
        assert len(visit.pages) >= 25, f"{visit.role} reached only {visit.pages}"
        for area, variants in visit.subnavs.items():
            if len(variants) > 1:
                problems.append(
                    f"{visit.role}: the {area} sub-navigation differs between pages: {variants}"
                )
    by_role = {visit.role: visit.pages for visit in visits}
    for path in ("/strategy/needs/", "/index/", "/mirror/", "/report/", "/queue/"):
        assert path in by_role["admin"], f"{path} is not reachable from the navigation"
    assert not problems, (
        f"{len(problems)} layout problems on "
        + ", ".join(f"{len(pages)} pages as {role}" for role, pages in by_role.items())
        + " (1400 and 390 px):\n"
        + "\n".join(problems)
    )
