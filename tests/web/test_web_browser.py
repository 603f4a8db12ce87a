"""The e-approval pages in headless Chromium, served by uvicorn on 127.0.0.1 (SQLite, a test clock).

One case goes all the way through the people of a section: sato drafts, suzuki (係長) rejects it
(否認) and later returns it (差戻し), sato resubmits, the item turns overdue in business days, kato (課長)
records an absence with ito as substitute, and ito decides on kato's behalf (代決). Along the way: markup in
a comment stays text, the diagram is drawn, and no request leaves the machine. Screenshots are saved
(the folder is printed; BPR_SCREENSHOT_DIR keeps them elsewhere). A second test checks that every field is
labelled and that the forms work with the keyboard alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webhelp import SECRET, Clock, serving, staffed

from bpr.execute.status import predicted
from bpr.web import create_web_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs chromium and chromium-driver (Debian packages), installed by .ci/run",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[dict[str, Any]]:
    clock = Clock()
    workflow, tokens = staffed(f"sqlite:///{tmp_path_factory.mktemp('web') / 'cases.db'}", clock, repo_root)
    with serving(create_web_app(workflow, secret=SECRET)) as base:
        yield {"base": base, "workflow": workflow, "tokens": tokens, "clock": clock}
    workflow.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="bpr-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     f"--user-data-dir={profile}", "--window-size=1280,1000", "--lang=ja"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("BPR_SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="bpr-web-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


class Pages:
    """The test's hands on the browser: sign in, open, click, always waiting for the page it leads to."""

    def __init__(self, driver: Any, base: str, tokens: dict[str, str]) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.base, self.tokens = driver, base, tokens
        self.wait = WebDriverWait(driver, 15)

    def css(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def leads_on(self, do: Any) -> None:
        """Do something that loads a new page, and wait until it has."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

        old = self.css("html")

        def gone(_: Any) -> bool:
            try:
                old.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:  # chromedriver's word for it while the old page is torn down
                if "does not belong to the document" in str(error):
                    return True
                raise
            return False

        do()
        self.wait.until(gone)
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def sign_in(self, user: str) -> None:
        from selenium.webdriver.common.keys import Keys

        self.driver.delete_all_cookies()
        self.open("/login")
        self.leads_on(lambda: self.css("#token").send_keys(self.tokens[user] + Keys.ENTER))
        assert self.css("#current-user").text == user

    def act(self, case_id: int, step: str, action: str, note: str = "") -> None:
        self.open(f"/cases/{case_id}")
        form = self.css(f'form.act[data-step="{step}"]')
        if note:
            form.find_element("css selector", "textarea").send_keys(note)
        self.leads_on(form.find_element("css selector", f"button.btn-{action}").click)
        assert self.driver.current_url.endswith(f"/cases/{case_id}"), self.css("main").text

    def buttons(self, case_id: int, step: str) -> list[str]:
        """The actions the case page offers on ``step``."""
        self.open(f"/cases/{case_id}")
        return [b.get_attribute("value") for b in self.all(f'form.act[data-step="{step}"] button')]

    def inbox_row(self, step: str) -> Any:
        self.open("/")
        return self.css(f'tr.item[data-step="{step}"]')


def test_a_case_goes_through_the_section_in_the_browser(site: dict[str, Any], browser: Any, shots: Path) -> None:
    pages, clock, workflow = Pages(browser, site["base"], site["tokens"]), site["clock"], site["workflow"]

    pages.sign_in("sato")  # 起案
    pages.open("/start")
    pages.leads_on(pages.css('a[href$="/start/purchase_ringi"]').click)
    pages.css("#attr-amount").send_keys("300000")
    browser.save_screenshot(str(shots / "1-start-form.png"))
    pages.leads_on(pages.css("#start-form button[type=submit]").click)
    case_id = int(browser.current_url.rsplit("/", 1)[1])
    assert pages.css('td.attr[data-name="amount"]').text == "300,000"
    assert pages.buttons(case_id, "kian") == ["done"]
    pages.act(case_id, "kian", "done")

    pages.sign_in("suzuki")  # 係長: due tomorrow; two days later overdue
    row = pages.inbox_row("kakaricho_check")
    assert "あと1営業日" in row.find_element("css selector", "td.due").text
    clock.advance(days=2)
    row = pages.inbox_row("kakaricho_check")
    assert "overdue" in row.get_attribute("class")
    assert "期限超過 · 1営業日超過" in row.find_element("css selector", "td.due").text
    assert pages.css("#count-overdue").text == "1"
    browser.save_screenshot(str(shots / "2-inbox-overdue.png"))
    assert pages.buttons(case_id, "kakaricho_check") == ["approve", "reject", "return"]
    pages.act(case_id, "kakaricho_check", "reject", "見積書の日付が古いので取り直してください")

    pages.sign_in("sato")  # 再提出
    pages.act(case_id, "kian", "done", "見積書を取り直しました")
    pages.sign_in("suzuki")  # 差戻し
    pages.act(case_id, "kakaricho_check", "return", "品名を正式名称に")
    pages.sign_in("sato")
    assert pages.buttons(case_id, "kian") == ["done", "return"]
    pages.act(case_id, "kian", "done")
    pages.open(f"/cases/{case_id}")
    pages.css("#comment-text").send_keys("<script>window.pwned = 1</script>補足です")
    pages.leads_on(pages.css("#comments button[type=submit]").click)
    shown = [c.find_element("css selector", "p").text for c in pages.all("li.comment")]
    assert shown == ["<script>window.pwned = 1</script>補足です"]
    assert browser.execute_script("return window.pwned === undefined && document.scripts.length === 0")

    pages.sign_in("suzuki")  # 承認
    pages.act(case_id, "kakaricho_check", "approve")
    for user, step in (("zai", "zaisei_cosign"), ("kei", "keiyaku_cosign")):  # 合議: other sections, by the API
        workflow.approve(user, [i for i in workflow.inbox(user) if i.case_id == case_id and i.step == step][0].id)

    pages.sign_in("kato")  # 代決 set-up
    pages.open("/absence")
    browser.execute_script("document.getElementById('starts').value = '2027-04-07T08:00';"
                           "document.getElementById('ends').value = '2027-04-09T18:00';")
    from selenium.webdriver.support.ui import Select

    Select(pages.css("#substitute")).select_by_value("ito")
    pages.leads_on(pages.css("#absence-form button[type=submit]").click)
    assert "kato: 2027-04-07 08:00 – 2027-04-09 18:00 → ito" in pages.css("#absences").text

    pages.sign_in("ito")  # 代決: the director decides for the absent section head
    row = pages.inbox_row("kessai")
    assert row.find_elements("css selector", "td")[-1].text == "kato"
    pages.open(f"/cases/{case_id}")
    assert "kato さんの代決として" in pages.css('form.act[data-step="kessai"] h3').text
    browser.save_screenshot(str(shots / "3-case-substitute.png"))
    pages.wait.until(lambda d: d.execute_script(
        "const i = document.getElementById('diagram'); return i.complete && i.naturalWidth > 0"))
    browser.execute_script("document.getElementById('h-diagram').scrollIntoView()")
    browser.save_screenshot(str(shots / "3b-diagram-current-step.png"))
    pages.act(case_id, "kessai", "approve", "課長不在のため代決")

    pages.sign_in("sato")  # 財務会計の確認と発注で完了
    pages.act(case_id, "enter_zaimu", "done")
    pages.act(case_id, "order", "done")
    assert pages.css("#case-status").text.startswith("完了")
    assert pages.all("#no-actions")
    events = [(r.get_attribute("data-action"), r.find_elements("css selector", "td")[1].text)
              for r in pages.all("tr.event")]
    assert [e for e in events if e[0] not in ("claim", "comment")] == [
        ("start", "sato"), ("done", "sato"), ("reject", "suzuki"), ("done", "sato"), ("return", "suzuki"),
        ("done", "sato"), ("approve", "suzuki"), ("approve", "zai"), ("approve", "kei"),
        ("approve", "ito kato さんの代決として"), ("done", "sato"), ("done", "sato"), ("end", "sato")]
    browser.execute_script("document.getElementById('h-timeline').scrollIntoView()")
    browser.save_screenshot(str(shots / "4-case-ended-timeline.png"))

    # Every request the browser made over the network (chrome:// pages are inside the browser itself).
    requested = [u for u in _requested_urls(browser) if u.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp")]
    assert f"{site['base']}/static/style.css" in requested and f"{site['base']}/cases/{case_id}/diagram.svg?lang=ja" \
        in requested, "the performance log misses the pages' own resources: the check would prove nothing"
    outside = sorted({u for u in requested if not u.startswith(site["base"] + "/")})
    assert outside == [], f"requests left the machine: {outside}"


def _requested_urls(browser: Any) -> list[str]:
    import json

    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


UNLABELLED = """
return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id || e.outerHTML);
"""


def test_every_field_is_labelled_and_the_forms_work_by_keyboard(site: dict[str, Any], browser: Any,
                                                                 shots: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    pages = Pages(browser, site["base"], site["tokens"])
    browser.delete_all_cookies()
    pages.open("/login")
    assert browser.execute_script(UNLABELLED) == []
    pages.sign_in("sato")

    def tab_to(element_id: str, limit: int = 40) -> list[str]:
        """Press Tab from the top of the page until ``element_id`` has the focus; the ids passed on the way."""
        browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
        passed: list[str] = []
        for _ in range(limit):
            ActionChains(browser).send_keys(Keys.TAB).perform()
            focused = browser.execute_script("const e = document.activeElement; return e.id || e.tagName")
            passed.append(focused)
            if focused == element_id:
                return passed
        raise AssertionError(f"Tab never reached #{element_id}: {passed}")

    pages.open("/start/purchase_ringi")
    assert browser.execute_script(UNLABELLED) == []
    tab_to("attr-amount")
    pages.leads_on(lambda: ActionChains(browser).send_keys("450000" + Keys.ENTER).perform())
    case_id = int(browser.current_url.rsplit("/", 1)[1])
    assert browser.execute_script(UNLABELLED) == []
    tab_to("comment-text")
    ActionChains(browser).send_keys("キーボードだけで入力").perform()
    ActionChains(browser).send_keys(Keys.TAB).perform()  # to the button beside it
    pages.leads_on(lambda: ActionChains(browser).send_keys(Keys.ENTER).perform())
    assert [c.find_element("css selector", "p").text for c in pages.all("li.comment")] == ["キーボードだけで入力"]
    [kian] = [i for i in site["workflow"].inbox("sato") if i.case_id == case_id]
    tab_to(f"note-{kian.id}")  # the action's own comment box, then its button
    ActionChains(browser).send_keys("起案します").perform()
    ActionChains(browser).send_keys(Keys.TAB).perform()
    pages.leads_on(lambda: ActionChains(browser).send_keys(Keys.ENTER).perform())
    assert [i.step for i in site["workflow"].inbox("suzuki") if i.case_id == case_id] == ["kakaricho_check"]

    for path in ("/", "/absence", "/dashboard", "/?lang=en"):
        pages.open(path)
        assert browser.execute_script(UNLABELLED) == [], path
    assert pages.css("h1").text == "Inbox"
    browser.save_screenshot(str(shots / "6-inbox-english.png"))
    pages.open("/dashboard?lang=ja")
    section = pages.css('section[data-process="purchase_ringi"]')
    assert section.find_element("css selector", "dd.open").text == "1"
    predicted(site["workflow"].definition("purchase_ringi"), wait=True)  # the simulation behind the figure
    pages.open("/dashboard?lang=ja")
    section = pages.css('section[data-process="purchase_ringi"]')
    assert section.find_element("css selector", "dd.predicted").text.startswith("平均")
    browser.save_screenshot(str(shots / "7-dashboard.png"))
