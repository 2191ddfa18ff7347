"""A saved search, clicked through in Chromium on a copy of the demo: save it, confirm
by the link in the mail, a sync brings a new matching paper and a changed file, the
digest holds both with their links, and the links lead to the paper and to the file's
Änderungen page.

The demo's home is copied (the session's other browser tests read the original),
served with the base URL of the copy's server, and without SMTP: the mails land in
the copy's `mail/` folder, as in `make demo`.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from email.message import EmailMessage
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ratsblick.replay.sample import BODY, ROOT, sample_dataset
from ratsblick.replay.server import ReplayServer
from tests.browser.conftest import Browser
from tests.browser.site import RATSBLICK, environment, served
from tests.browser.test_pages import BLOCKING, axe_violations

pytestmark = pytest.mark.browser

SAMPLE = "Beispielstadt (Testdaten)"
NEW_TITLE = "Digitale Strategie: Fortschreibung 2026"


@pytest.fixture(scope="module")
def home(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("alerts-demo")
    source = demo_home / "ratsblick.sqlite3"
    with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(copy / source.name)) as to:
        db.backup(to)  # consistent, whatever the session's server writes meanwhile
    for folder in ("search", "blobs"):
        shutil.copytree(demo_home / folder, copy / folder)
    return copy


@pytest.fixture(scope="module")
def alert_site(home: Path) -> Iterator[str]:
    """The copy served, its mails linking back to it; no background rounds (the test
    runs the one round it needs)."""
    command = ["env", "RATSBLICK_BASE_URL=http://127.0.0.1:{port}", "RATSBLICK_BACKGROUND_JOBS=0"]
    with served(home, [*command, *RATSBLICK, "serve", "--port", "{port}"]) as url:
        yield url


def mails(home: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((home / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found


def text_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def link_in(mail: EmailMessage, site: str, path: str) -> str:
    (found,) = set(re.findall(re.escape(site + path) + r"\S*", text_of(mail)))
    return found


def sample_round(home: Path, site: str) -> str:
    """What a pipeline round does for the sample body: sync, fetch and read, index, send."""
    script = (
        "from ratsblick.council.commandline import http_client\n"
        "from ratsblick.council.models import Body\n"
        "from ratsblick.jobs import steps\n"
        f"body = Body.objects.get(name={SAMPLE!r}).pk\n"
        "with http_client() as client:\n"
        "    steps.sync(body, client)\n"
        "    steps.process_files(body, client)\n"
        "steps.index()\n"
        "print(steps.send_mails())\n"
    )
    env = environment(home, RATSBLICK_ALLOW_PRIVATE_HOSTS="1", RATSBLICK_BASE_URL=site)
    done = subprocess.run(
        [*RATSBLICK, "shell", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_accessible(browser: Browser) -> None:
    """No serious or critical axe-core finding on the open page."""
    found = [(v["id"], v["impact"]) for v in axe_violations(browser)]
    assert [rule for rule, impact in found if impact in BLOCKING] == [], found


def sample_port(home: Path) -> int:
    with closing(sqlite3.connect(home / "ratsblick.sqlite3")) as db:
        (url,) = db.execute(
            "SELECT oparl_id FROM council_body WHERE name = ?", (SAMPLE,)
        ).fetchone()
    found = re.match(r"http://127\.0\.0\.1:(\d+)/", url)
    assert found, url
    return int(found[1])


def test_save_a_search_confirm_by_mail_and_get_the_news_with_links(
    browser: Browser, home: Path, alert_site: str
) -> None:
    here = Browser(browser.driver, alert_site)
    here.open("/suche/?q=Digitale+Strategie")
    here.driver.find_element(By.LINK_TEXT, "Suche speichern").click()
    assert_accessible(here)
    here.driver.find_element(By.NAME, "email").send_keys("erika@example.org")
    here.driver.find_element(By.XPATH, "//label[normalize-space()='sofort']").click()
    here.driver.find_element(
        By.XPATH, "//button[@type='submit' and contains(., 'anfordern')]"
    ).click()
    WebDriverWait(here.driver, 10).until(lambda d: "/benachrichtigung/gesendet/" in d.current_url)

    (confirmation,) = mails(home)
    assert confirmation["Subject"] == "Bitte bestätigen: Benachrichtigung zu „Digitale Strategie“"
    here.driver.get(link_in(confirmation, alert_site, "/benachrichtigung/bestaetigen/"))
    here.driver.find_element(By.XPATH, "//button[contains(., 'Ja, ich möchte')]").click()
    WebDriverWait(here.driver, 10).until(lambda d: "/benachrichtigungen/" in d.current_url)
    main = here.driver.find_element(By.TAG_NAME, "main").text
    assert "Ihre Benachrichtigung ist bestätigt." in main
    assert "„Digitale Strategie“" in main
    assert_accessible(here)

    # The council publishes a new matching paper and new bytes for a matching paper's file.
    dataset = sample_dataset()
    first = dataset.lookup(f"{BODY}/paper/1")
    assert first is not None
    dataset.change(
        first["id"], mainFile={**first["mainFile"], "accessUrl": f"{ROOT}/files/twocol.pdf"}
    )
    new = {**first, "id": f"{BODY}/paper/9", "name": NEW_TITLE, "reference": "FB 02/0200/WP17"}
    del new["mainFile"], new["auxiliaryFile"]
    dataset.add("paper", new)
    with ReplayServer(dataset, port=sample_port(home)):
        sample_round(home, alert_site)

    digest = mails(home)[-1]
    assert digest["Subject"] == "2 Neuigkeiten zu „Digitale Strategie“"
    text = text_of(digest)
    assert f"Neuer Treffer: FB 02/0200/WP17 {NEW_TITLE}" in text
    assert "Datei geändert: Vorlage" in text
    here.driver.get(link_in(digest, alert_site, "/vorlage/"))  # the new paper only
    assert NEW_TITLE in here.driver.find_element(By.TAG_NAME, "h1").text
    here.driver.get(re.findall(r"Was sich geändert hat: (\S+)", text)[0])
    assert here.driver.find_element(By.TAG_NAME, "h1").text.startswith("Änderungen: ")
    here.collect_console()
    assert here.console_errors == []
