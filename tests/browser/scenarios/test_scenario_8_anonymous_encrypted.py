"""SCENARIOS.md 8 — anonymous, encrypted.

A finder without an account encrypts the report to the reception's published OpenPGP
key with real GnuPG, pastes it into the form, gives no name and no e-mail, and keeps
the follow-up link. The clerk decrypts it with the platform key and asks a question;
the finder, later and in another browser, opens the link and answers. The link opens
only that report, and nothing identifies the finder anywhere.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kakehashi.core import pgp
from kakehashi.intake import actions as intake
from kakehashi.intake.actions.submit import default_reception
from kakehashi.intake.models import Report

from .conftest import Stage, open_action, path_of, t

pytestmark = pytest.mark.browser

SECRET_TEXT = "ログイン画面の user パラメータに ' OR 1=1 -- を入れると認証を回避できます。"
ANSWER = "ファームウェア 3.1.4 で確認しました。"
QUESTION = "確認したファームウェアのバージョンを教えてください。"


@pytest.fixture
def reception_key(settings: Any, tmp_path: Path) -> pgp.GeneratedKey:
    """The site's platform key, as `kakehashi pgp generate` would configure it."""
    key = pgp.generate_key(
        "Kakehashi Reception", "reception@example.test", "pass phrase", expires="1y"
    )
    path = tmp_path / "platform.asc"
    path.write_text(key.secret_armor)
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = "pass phrase"
    return key


def gpg_encrypt(public_key: str, text: str, home: Path) -> str:
    """What the finder does on their own machine: import the key, encrypt, armour."""
    home.mkdir(mode=0o700)
    base = ["gpg", "--homedir", str(home), "--batch", "--quiet", "--no-tty"]
    subprocess.run([*base, "--import"], input=public_key.encode(), check=True)
    listed = subprocess.run(
        [*base, "--with-colons", "--list-keys"], capture_output=True, check=True, text=True
    ).stdout
    fingerprint = next(line.split(":")[9] for line in listed.splitlines() if line.startswith("fpr"))
    encrypted = subprocess.run(
        [*base, "--armor", "--trust-model", "always", "--encrypt", "-r", fingerprint],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
    return encrypted.stdout.decode()


def submit_anonymous_encrypted(finder: Page, lang: str, armoured: str, title: str) -> str:
    finder.goto(f"/{lang}/report/")
    expect(finder.locator("html")).to_have_attribute("lang", lang)
    finder.locator("input[name=track][value=product]").check()
    finder.locator("form.panel button[type=submit]").click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/consent/$"))
    finder.locator("input[name=agree]").check()
    finder.locator("form button[type=submit]").last.click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/step/you/$"))
    # Every field left empty: no name, no e-mail, no telephone.
    finder.locator(".form-nav button[value=next]").click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/step/vulnerability/$"))
    finder.locator("input[name=title]").fill(title)
    finder.locator("input[name=product_name]").fill("KH-Cam 200")
    finder.locator("textarea[name=encrypted_body]").fill(armoured)
    finder.locator(".form-nav button[value=next]").click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/step/circumstances/$"))
    finder.locator(".form-nav button[value=next]").click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/step/files/$"))
    finder.locator(".form-nav button[value=next]").click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/confirm/$"))
    finder.locator("main form button[type=submit]").first.click()
    expect(finder).to_have_url(re.compile(rf"/{lang}/report/done/$"))
    expect(finder.locator("main")).to_contain_text(
        t(
            lang,
            "You gave no e-mail address, so this link is the only way to follow your "
            "report. Copy it now.",
        )
    )
    return finder.locator("code.secret").inner_text().strip()


def test_an_anonymous_finder_reports_encrypted_and_answers_through_the_link(
    stage: Stage, reception_key: pgp.GeneratedKey, tmp_path: Path
) -> None:
    lang, shot = stage.lang, stage.shot
    title = f"KH-Cam 200 認証回避 ({lang})"
    # --- The finder: fetches the published key, encrypts with GnuPG, reports ----------
    finder = stage.page
    published_key = finder.request.get(f"/{lang}/report/pgp-key.asc").text()
    assert "BEGIN PGP PUBLIC KEY BLOCK" in published_key
    armoured = gpg_encrypt(published_key, SECRET_TEXT, tmp_path / "finder-gnupg")
    assert SECRET_TEXT not in armoured
    link = submit_anonymous_encrypted(finder, lang, armoured, title)
    assert re.search(rf"/{lang}/report/follow-up/\d+-\S+/$", link), link
    shot(finder, "scenario8", "done")
    report = Report.objects.get(title=title)
    assert (report.finder_user, report.finder_name, report.finder_email) == (None, "", "")
    assert report.description == "" and report.encrypted_body.startswith("-----BEGIN PGP")

    # --- The clerk: decrypts with the platform key and asks one question -------------
    clerk = stage.person("clerk")
    clerk.goto(f"/{lang}/reception/reports/{report.pk}/")
    expect(clerk.locator("pre.armour")).to_contain_text("BEGIN PGP MESSAGE")
    clerk.locator("form[action$='/decrypt/'] button[type=submit]").click()
    expect(clerk.locator("#reported")).to_contain_text(SECRET_TEXT)
    ask = open_action(clerk, "ask")
    ask.locator("textarea[name=ask-question]").fill(QUESTION)
    ask.locator("button[type=submit]").click()
    expect(clerk.locator("#conversation")).to_contain_text(QUESTION)
    shot(clerk, "scenario8", "desk-question")

    # --- Later, another browser: the finder opens the kept link and answers ----------
    later = stage.new_page(locale="ja-JP" if lang == "ja" else "en-US")
    later.goto(link.replace(re.match(r"^https?://[^/]+", link).group(0), ""))  # type: ignore[union-attr]
    expect(later).to_have_url(re.compile(rf"/{lang}/report/status/{report.pk}/$"))
    expect(later.locator("#conversation")).to_contain_text(QUESTION)
    expect(later.locator("main")).to_contain_text(
        t(lang, "The desk asked you a question: please answer below.")
    )
    later.locator("textarea[name=body]").fill(ANSWER)
    later.locator("#conversation form button[type=submit]").click()
    expect(later.locator("#conversation")).to_contain_text(ANSWER)
    shot(later, "scenario8", "finder-answer")

    clerk.reload()
    expect(clerk.locator("#conversation")).to_contain_text(ANSWER)
    assert Report.objects.get(pk=report.pk).state == "received"

    # --- The link opens only this report -----------------------------------------------
    other = intake.submit_report(
        track="product",
        language=lang,
        data={"title": "別の届出", "product_name": "Other", "description": "別の内容"},
        uploads=[],
        reception_org=default_reception(),
    ).report
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token.split("-", 1)[1] not in path_of(later)  # the secret left the address bar
    stranger = stage.new_page()
    for forged in (
        f"{other.pk}-{token.split('-', 1)[1]}",  # this secret, another report
        f"{report.pk}-{token.split('-', 1)[1]}x",  # a changed secret
    ):
        response = stranger.goto(f"/{lang}/report/follow-up/{forged}/")
        assert response is not None and response.status == 404
    for number in (report.pk, other.pk):
        response = stranger.goto(f"/{lang}/report/status/{number}/")
        assert response is not None and response.status == 404
        expect(stranger.locator("body")).not_to_contain_text(title)
    # Even the finder's own session sees nothing of the other report.
    response = later.goto(f"/{lang}/report/status/{other.pk}/")
    assert response is not None and response.status == 404
    expect(later.locator("body")).not_to_contain_text("別の内容")

    # --- Nothing public names the report, and nothing identifies the finder ------------
    for path, body in stage.public_outputs(finder):
        for secret_text in (title, report.tracking_id, SECRET_TEXT, ANSWER):
            assert secret_text not in body, (path, secret_text)
    report.refresh_from_db()
    assert (report.finder_user, report.finder_name, report.finder_email) == (None, "", "")
    assert report.finder_phone == "" and report.finder_affiliation == ""
