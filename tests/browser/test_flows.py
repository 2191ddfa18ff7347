"""What a citizen does on the demo site, clicked through in Chromium: search, follow a
hit through paper, meeting, organization and person, narrow by a filter, use only
the keyboard, and search with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import Browser
from tests.browser.site import REFERENCE, TYPO, MainPages

pytestmark = pytest.mark.browser

PAPER_TITLE = "Regelförderung der Vereine im Gemeindegebiet durch die Gemeinde Hürtgenwald"
ORGANIZATION = "Ausschuss für Jugend, Kultur und Vereine"
# A sentence on page 1 of the Thurgau protocol (a born-digital PDF of the sample body).
PROTOCOL_WORD = "Freiwilligenarbeit"
PROTOCOL_REFERENCE = "20/MO 34/343"


def h1(browser: Browser) -> str:
    return str(browser.driver.find_element(By.TAG_NAME, "h1").text)


def search_box(browser: Browser) -> WebElement:
    """The page's own search field, else the one in the site header."""
    fields = browser.driver.find_elements(By.CSS_SELECTOR, "main input[name=q]")
    return fields[0] if fields else browser.driver.find_element(By.CSS_SELECTOR, "input[name=q]")


def search(browser: Browser, words: str) -> None:
    box = search_box(browser)
    box.clear()
    box.send_keys(words, Keys.ENTER)
    WebDriverWait(browser.driver, 10).until(lambda d: "/suche/" in d.current_url)
    browser.collect_console()


def hits(browser: Browser) -> list[WebElement]:
    """The title link of each hit, in rank order."""
    items = browser.driver.find_elements(By.CSS_SELECTOR, "main ol > li")
    return [links[0] for item in items if (links := item.find_elements(By.CSS_SELECTOR, "a"))]


def total(browser: Browser) -> int:
    main = browser.driver.find_element(By.TAG_NAME, "main").text
    found = re.search(r"(\d[\d.]*)\s+Treffer", main)
    assert found, main[:500]
    return int(found[1].replace(".", ""))


def follow(browser: Browser, link: WebElement) -> None:
    """Click a link as a user would: open the <details> it hides in, scroll to it, click."""
    browser.driver.execute_script(
        "const d = arguments[0].closest('details'); if (d) d.open = true;"
        "arguments[0].scrollIntoView({block: 'center'});",
        link,
    )
    target = str(link.get_attribute("href")).split("#")[0]
    link.click()
    WebDriverWait(browser.driver, 10).until(lambda d: d.current_url.split("#")[0] == target)
    browser.collect_console()


def link_to(browser: Browser, prefix: str) -> WebElement:
    """The first link in the page's content whose path starts with `prefix`."""
    return browser.driver.find_element(By.CSS_SELECTOR, f'main a[href^="{prefix}"]')


def test_reference_search_finds_the_paper_first(browser: Browser, pages: MainPages) -> None:
    browser.open("/")
    search(browser, REFERENCE)
    first = hits(browser)[0]
    assert PAPER_TITLE in first.text
    follow(browser, first)
    assert browser.path() == pages.paper
    assert REFERENCE in h1(browser)
    assert PAPER_TITLE in h1(browser)
    assert browser.console_errors == []


def test_a_typo_finds_nothing_and_meinten_sie_leads_to_the_word(browser: Browser) -> None:
    browser.open("/")
    search(browser, TYPO)
    assert "Nichts gefunden" in browser.driver.find_element(By.TAG_NAME, "main").text
    suggestion = browser.driver.find_element(By.CSS_SELECTOR, "main .search-suggestion a")
    assert suggestion.text == "„Haushalt“"
    follow(browser, suggestion)
    assert search_box(browser).get_attribute("value") == "Haushalt"
    assert total(browser) > 0
    assert browser.console_errors == []


def test_paper_leads_to_its_file_meeting_organization_and_person(
    browser: Browser, pages: MainPages
) -> None:
    browser.open(pages.paper)
    follow(browser, link_to(browser, "/datei/"))
    assert browser.path().startswith("/datei/")
    assert PAPER_TITLE in browser.driver.find_element(By.TAG_NAME, "main").text
    browser.driver.back()

    follow(browser, link_to(browser, pages.meeting))
    assert browser.path().startswith(pages.meeting)
    assert h1(browser).startswith(ORGANIZATION)
    agenda = browser.driver.find_element(By.CSS_SELECTOR, f'main a[href="{pages.paper}"]')
    assert REFERENCE in agenda.text

    follow(browser, link_to(browser, pages.organization))
    assert browser.path() == pages.organization
    assert h1(browser).startswith(ORGANIZATION)

    member = link_to(browser, "/person/")
    name = browser.driver.execute_script("return arguments[0].textContent.trim()", member)
    follow(browser, member)
    assert re.fullmatch(r"/person/\d+/", browser.path())
    assert h1(browser) == name
    organizations = browser.driver.find_elements(By.CSS_SELECTOR, 'main a[href^="/gremium/"]')
    assert pages.organization in [
        a.get_attribute("href").removeprefix(browser.site) for a in organizations
    ]
    assert browser.console_errors == []


def test_word_in_a_file_finds_its_paper_with_the_file_inside_and_marks_it_there(
    browser: Browser, pages: MainPages
) -> None:
    browser.open("/")
    search(browser, PROTOCOL_WORD)
    hit = hits(browser)[0].find_element(By.XPATH, "./ancestor::li[1]")
    assert PROTOCOL_REFERENCE in hit.text
    (file_link,) = hit.find_elements(By.CSS_SELECTOR, 'a[href^="/datei/"]')
    assert "Seite 1" in hit.text
    follow(browser, file_link)
    assert browser.path() == f"{pages.file}?q={PROTOCOL_WORD}#seite-1"
    text = browser.driver.find_element(By.TAG_NAME, "main").text
    assert "Protokoll Nr. 61 vom 16. August 2023" in text
    assert "Seite 48" in text
    marks = browser.driver.find_elements(By.CSS_SELECTOR, "#seite-1 mark")
    assert PROTOCOL_WORD in [mark.text for mark in marks]
    assert browser.console_errors == []


def number_at_end(text: str) -> int | None:
    """The count a facet option shows after its label: "Vorlage (1.204)" is 1204."""
    found = re.search(r"(\d[\d.]*)\D*$", text)
    return int(found[1].replace(".", "")) if found else None


def test_ticking_a_filter_narrows_the_results_and_keeps_it_in_the_url(browser: Browser) -> None:
    browser.open("/suche/?q=Haushalt")
    before, url_before = total(browser), browser.path()
    area = browser.driver.find_element(By.CSS_SELECTOR, "[aria-label=Filter]")
    browser.driver.execute_script(
        "for (const d of arguments[0].querySelectorAll('details')) d.open = true;", area
    )
    options = [
        (item, count)
        for item in area.find_elements(By.CSS_SELECTOR, "li")
        if (count := number_at_end(item.text)) is not None and 0 < count < before
    ]
    assert options, area.text
    option, expected = options[0]
    boxes = option.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    if boxes:
        boxes[0].click()
        if browser.path() == url_before:  # no script sent it: the filters' own button does
            area.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    else:
        option.find_element(By.CSS_SELECTOR, "a").click()
    WebDriverWait(browser.driver, 10).until(lambda d: browser.path() != url_before)
    browser.collect_console()
    narrowed = browser.path()
    assert narrowed.startswith("/suche/?")
    assert len(narrowed) > len(url_before)
    assert total(browser) == expected
    browser.open(narrowed)  # the URL is the whole state
    assert total(browser) == expected
    if boxes:
        checked = browser.driver.find_elements(
            By.CSS_SELECTOR, "[aria-label=Filter] input[type=checkbox]:checked"
        )
        assert len(checked) == 1
    assert browser.console_errors == []


def _outline(browser: Browser, element: WebElement) -> tuple[str, ...]:
    return tuple(
        browser.driver.execute_script(
            "const s = getComputedStyle(arguments[0]);"
            "return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow];",
            element,
        )
    )


def tab_until(browser: Browser, target: WebElement, steps: int = 80) -> list[WebElement]:
    """Press Tab until `target` has the focus; every element focused on the way (the one
    focused when the page opened first) must show that it is, by outline or shadow."""
    driver = browser.driver
    reached: list[tuple[WebElement, tuple[str, ...]]] = []
    if driver.execute_script("return document.activeElement !== document.body"):
        opened_on = driver.switch_to.active_element
        reached.append((opened_on, _outline(browser, opened_on)))
    while not reached or reached[-1][0] != target:
        assert len(reached) < steps, f"{target.get_attribute('outerHTML')[:120]} not reached"
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element
        reached.append((focused, _outline(browser, focused)))
    driver.execute_script("document.activeElement.blur()")
    invisible = [
        element.get_attribute("outerHTML")[:120]
        for element, focused_style in reached
        if focused_style == _outline(browser, element)
    ]
    assert invisible == [], "focus not visible on these elements"
    driver.execute_script("arguments[0].focus()", target)  # back where the walk ended
    return [element for element, _ in reached]


def test_keyboard_alone_searches_and_opens_the_first_hit_with_visible_focus(
    browser: Browser,
) -> None:
    browser.open("/")
    box = search_box(browser)
    tab_until(browser, box)
    ActionChains(browser.driver).send_keys("Haushalt", Keys.ENTER).perform()
    WebDriverWait(browser.driver, 10).until(lambda d: hits(browser))
    assert browser.path() == "/suche/?q=Haushalt"
    first = hits(browser)[0]
    target = str(first.get_attribute("href"))
    tab_until(browser, first)
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser.driver, 10).until(lambda d: d.current_url == target)
    browser.collect_console()
    assert browser.console_errors == []


def test_search_works_without_javascript(browser_without_js: Browser, pages: MainPages) -> None:
    browser = browser_without_js
    browser.open("/")
    search(browser, REFERENCE)
    first = hits(browser)[0]
    assert PAPER_TITLE in first.text
    follow(browser, first)
    assert browser.path() == pages.paper
    browser.open(pages.file)
    assert "Seite 48" in browser.driver.find_element(By.TAG_NAME, "main").text
    # The page scripts really are off: pdf.js added no button to show the original pages.
    assert browser.driver.find_elements(By.CSS_SELECTOR, "button.toggle-images") == []


def test_file_page_draws_the_original_pages_beside_the_text(
    browser: Browser, pages: MainPages
) -> None:
    browser.open(pages.file)
    toggle = browser.driver.find_element(By.CSS_SELECTOR, "button.toggle-images")
    assert toggle.get_attribute("aria-pressed") == "true"  # wide screen: shown at once
    WebDriverWait(browser.driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '.page-image[data-page="1"] canvas')
    )
    canvas = browser.driver.find_element(By.CSS_SELECTOR, '.page-image[data-page="1"] canvas')
    assert canvas.get_attribute("aria-label") == "Seite 1 des Originals"
    browser.collect_console()
    assert browser.console_errors == []
