"""Open the built documentation site in headless Chromium and check it as a reader would.

    python scripts/docs/browser_check.py --site build/docs --shots build/docs-shots \\
        [--chromium /usr/bin/chromium] [--tabs-page guides/messages/] \\
        [--reference-page reference/python/] [--search-text "delivery status"] \\
        [--ignore-host api.github.com]

`make test-docs` (mk/docs.mk) runs it with .venv-docs' Python, which has playwright; the
browser is the system's Chromium (--chromium), never one playwright downloads. The site is
served by http.server on 127.0.0.1 (a free port, in a thread), and the checks are:

1. home: the home page loads and shows its content; screenshot 01-home.png;
2. tabs: on --tabs-page, each label of the first tabbed set (Material's .tabbed-set: Python,
   Rust, Go, C) is clicked, and after each click its panel must be the only one visible;
   screenshot 02-guide-tabs-go.png after clicking Go;
3. reference: --reference-page loads and shows a title; screenshot 03-reference.png;
4. search: --search-text is typed in Material's search box (opened with its "/" shortcut,
   else by clicking it), and at least one result must appear; screenshot 04-search.png.

On every page, console errors, uncaught page errors, failed requests and same-origin
responses with a status of 400 or more fail the check; --ignore-host HOST (repeatable)
excuses the failed requests to HOST and the console errors they cause, for a site whose
theme asks a host the machine cannot reach (Material with repo_url asks api.github.com).
Screenshots are full-page. One line is printed per check; the exit status is 0 only if every
check passed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path
from typing import Callable

from playwright.sync_api import ConsoleMessage, Page, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class Checker:
    def __init__(self, page: Page, base: str, shots: Path, ignore_hosts: list[str]) -> None:
        self.page = page
        self.base = base
        self.shots = shots
        self.ignore_hosts = ignore_hosts
        self.problems: list[str] = []  # what the page reported since the last check
        self.ignored = 0
        self.results: list[tuple[str, bool, str]] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self._problem(f"page error: {exc}"))
        page.on(
            "requestfailed", lambda req: self._problem(f"request failed: {req.url} ({req.failure})")
        )
        page.on("response", self._response)

    def _problem(self, text: str) -> None:
        if any(f"://{host}/" in text or f"://{host}:" in text for host in self.ignore_hosts):
            self.ignored += 1
        else:
            self.problems.append(text)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self._problem(f"console error: {msg.text}" + (f" ({where})" if where else ""))

    def _response(self, resp: Response) -> None:
        if resp.status >= 400 and resp.url.startswith(self.base):
            self._problem(f"HTTP {resp.status}: {resp.url}")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path.lstrip("/"), wait_until="load")
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            raise CheckFailed(f"{path or '/'}: {status}")
        self.settle()

    def settle(self) -> None:
        try:
            self.page.wait_for_load_state("networkidle", timeout=5000)
        except PlaywrightError:
            pass  # something keeps polling: the checks still run

    def shot(self, name: str, full_page: bool = True) -> Path:
        path = self.shots / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def run(self, name: str, check: Callable[[], str]) -> None:
        self.problems = []
        try:
            detail = check()
            self.settle()
            ok = not self.problems
        except (CheckFailed, PlaywrightError, AssertionError) as exc:
            detail, ok = str(exc).split("\n")[0], False
        if self.problems:
            detail += "; " + "; ".join(self.problems)
        self.results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


class CheckFailed(Exception):
    pass


def check_home(c: Checker) -> str:
    c.goto("")
    content = c.page.locator(".md-content")
    if not content.first.is_visible():
        raise CheckFailed("no visible .md-content on the home page")
    title = c.page.title()
    shot = c.shot("01-home.png")
    return f"{title!r} loaded, screenshot {shot}"


def check_tabs(c: Checker, path: str) -> str:
    c.goto(path)
    tabbed = c.page.locator(".tabbed-set").first
    if tabbed.count() == 0:
        raise CheckFailed(f"{path}: no .tabbed-set on the page")
    # Material's alternate style: labels in .tabbed-labels, panels in .tabbed-content; the
    # classic style: labels and panels (.tabbed-content) side by side in the set.
    labels = tabbed.locator(":scope > .tabbed-labels > label")
    panels = tabbed.locator(":scope > .tabbed-content > .tabbed-block")
    if labels.count() == 0:
        labels = tabbed.locator(":scope > label")
        panels = tabbed.locator(":scope > .tabbed-content")
    names = [x.strip() for x in labels.all_inner_texts()]
    if len(names) < 2 or len(names) != panels.count():
        raise CheckFailed(f"{path}: {len(names)} labels {names} for {panels.count()} panels")
    shot = None
    for i, name in enumerate(names):
        labels.nth(i).click()
        visible = [panels.nth(j).is_visible() for j in range(len(names))]
        if not visible[i] or sum(visible) != 1:
            shown = [names[j] for j, v in enumerate(visible) if v]
            raise CheckFailed(f"{path}: after clicking {name!r}, the visible panels are {shown}")
        if name.lower() == "go":
            shot = c.shot("02-guide-tabs-go.png")
    if shot is None:
        raise CheckFailed(f"{path}: no Go tab among {names}")
    return f"{path}: tabs {names} each show their own panel, screenshot {shot}"


def check_reference(c: Checker, path: str) -> str:
    c.goto(path)
    heading = c.page.locator(".md-content h1").first
    if heading.count() == 0 or not heading.is_visible():
        raise CheckFailed(f"{path}: no visible h1")
    # The heading's text without Material's permalink sign.
    title = heading.evaluate(
        "h => [...h.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink')))"
        ".map(n => n.textContent).join('').trim()"
    )
    # The first screen: the whole reference is tens of thousands of pixels tall.
    shot = c.shot("03-reference.png", full_page=False)
    return f"{path}: {title!r}, screenshot {shot}"


def check_search(c: Checker, text: str) -> str:
    c.goto("")
    query = c.page.locator("input.md-search__input, [data-md-component=search-query]").first
    c.page.keyboard.press("/")  # Material's shortcut focuses the search box
    if not query.is_visible():
        c.page.locator("label[for=__search]").first.click()
    query.wait_for(state="visible", timeout=5000)
    query.click()
    query.fill("")
    query.press_sequentially(text, delay=30)
    results = c.page.locator(".md-search-result__item")
    try:
        results.first.wait_for(state="visible", timeout=15000)
    except PlaywrightError as exc:
        meta = c.page.locator(".md-search-result__meta")
        said = meta.first.inner_text().strip() if meta.count() else "no result list"
        raise CheckFailed(f"no search result for {text!r} ({said})") from exc
    count = results.count()
    first = results.first.locator("h1, h2").first
    first_title = first.inner_text().strip() if first.count() else "?"
    shot = c.shot("04-search.png")
    return f"{text!r}: {count} results, the first {first_title!r}, screenshot {shot}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--site", required=True, type=Path, help="the built site, e.g. build/docs")
    ap.add_argument("--shots", required=True, type=Path, help="where the screenshots go")
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="the Chromium to run")
    ap.add_argument("--tabs-page", default="guides/messages/", help="a page with language tabs")
    ap.add_argument("--reference-page", default="reference/python/", help="a reference page")
    ap.add_argument("--search-text", default="delivery status", help="what to search for")
    ap.add_argument(
        "--ignore-host",
        metavar="HOST",
        action="append",
        default=[],
        help="failed requests to HOST (and the console errors they cause) do not fail a check "
        "(repeatable), e.g. api.github.com, which Material asks for a repo_url's facts",
    )
    args = ap.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"browser_check: no index.html in {args.site}", file=sys.stderr)
        return 1
    if not Path(args.chromium).is_file():
        print(f"browser_check: no Chromium at {args.chromium}", file=sys.stderr)
        return 1
    args.shots.mkdir(parents=True, exist_ok=True)
    server, base = serve(args.site.resolve())
    results: list[tuple[str, bool, str]] = []
    try:
        with sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(
                    executable_path=args.chromium, headless=True, args=["--no-sandbox"]
                )
            except PlaywrightError as exc:
                print(f"browser_check: {args.chromium} did not start: {exc}", file=sys.stderr)
                return 1
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(15000)
                c = Checker(page, base, args.shots, args.ignore_host)
                c.run("home", lambda: check_home(c))
                c.run("tabs", lambda: check_tabs(c, args.tabs_page))
                c.run("reference", lambda: check_reference(c, args.reference_page))
                c.run("search", lambda: check_search(c, args.search_text))
                results = c.results
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    failed = [name for name, ok, _ in results if not ok]
    ignored = (
        f" ({c.ignored} errors from --ignore-host hosts ignored)" if results and c.ignored else ""
    )
    print(
        f"browser_check: {len(results) - len(failed)} of {len(results)} checks passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
        + ignored
    )
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
