"""End to end in the browser: a finder's Japanese report becomes a coordinator's case.

Issue 4's browser test: an anonymous finder sends a Japanese product report with a
Japanese-named attachment through every page of /report/; the reception clerk opens
it from the queue, records the five acceptance checks, accepts it (受理) and forwards
it to coordination; the coordinator finds the new case, without the finder's identity
(which the finder did not allow to be passed on).

Three people, three browser contexts (their own cookies), one live server with the
demo data. Waits are Playwright's auto-waiting ``expect`` assertions, never sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

ATTACHMENT_NAME = "検証コード.txt"
ATTACHMENT_BODY = "#!/bin/sh\n# 認証回避の検証コード\ncurl -s http://192.0.2.1/admin/\n".encode()
TITLE = "無線LANルータ管理画面における認証回避"
FINDER_NAME = "高橋 秘匿"
FINDER_EMAIL = "hidden-finder@example.jp"
TRACKING_ID = re.compile(r"^KHR#\d{8}$")


def field(container: Locator | Page, label: str) -> Locator:
    """The control labelled exactly ``label`` (Django's label tag may add a colon)."""
    return container.get_by_label(re.compile(rf"^{re.escape(label)}[:：]?$"))


def next_page(page: Page, step: str) -> None:
    page.locator(".form-nav").get_by_role("button", name="次へ", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ja/report/step/{step}/$"))


def told(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def test_japanese_report_with_attachment_becomes_a_case(
    page: Page,
    new_page: Callable[..., Page],
    demo_data: None,
    sign_in: Callable[[Page, str], None],
    screenshot: Callable[[Page, str], None],
) -> None:
    # --- The finder, anonymous, in Japanese ---------------------------------------------
    finder = page
    finder.goto("/ja/report/")
    expect(finder.locator("html")).to_have_attribute("lang", "ja")
    finder.get_by_label("ソフトウエア製品").check()
    finder.get_by_role("button", name="開始", exact=True).click()

    expect(finder).to_have_url(re.compile(r"/ja/report/consent/$"))
    finder.get_by_label("届出がこのように取り扱われることに同意します。").check()
    finder.get_by_role("button", name="同意して次へ").click()

    expect(finder).to_have_url(re.compile(r"/ja/report/step/you/$"))
    field(finder, "氏名").fill(FINDER_NAME)
    field(finder, "メールアドレス").fill(FINDER_EMAIL)
    # Not allowed: passing the identity to the vendor (the default, unchecked).
    expect(finder.get_by_label("氏名と連絡先を製品開発者に伝えてもよい")).not_to_be_checked()
    next_page(finder, "vulnerability")

    field(finder, "1行の概要").fill(TITLE)
    field(finder, "製品名").fill("さくらルータ SR-500")
    field(finder, "該当バージョン").fill("2.4.0 以前")
    field(finder, "製品開発者").fill("さくらネットワーク機器株式会社")
    field(finder, "脆弱性の内容").fill("管理画面の特定のパスに認証なしでアクセスできます。")
    field(finder, "脆弱性を確認した環境").fill("ファームウェア 2.4.0、初期設定")
    field(finder, "再現手順と結果").fill("1. /admin/ に直接アクセスする\n2. 設定画面が表示される")
    field(finder, "影響").fill("第三者が設定を変更できます。")
    field(finder, "CVSS v3.1 ベクトル").fill("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    next_page(finder, "circumstances")

    field(finder, "連絡済みの他の組織").fill("なし")
    next_page(finder, "files")

    finder.get_by_label(re.compile("^ファイルの追加")).set_input_files(
        {"name": ATTACHMENT_NAME, "mimeType": "text/plain", "buffer": ATTACHMENT_BODY}
    )
    finder.get_by_role("button", name="ファイルを追加", exact=True).click()
    staged = finder.get_by_role("group", name="下書きのファイル")
    expect(staged.locator(".filename")).to_have_text(ATTACHMENT_NAME)
    finder.get_by_role("button", name="次へ：届出内容の確認").click()

    # The confirmation page: everything as typed, the file, nothing sent yet.
    expect(finder).to_have_url(re.compile(r"/ja/report/confirm/$"))
    expect(finder.get_by_role("heading", level=2)).to_have_text("確認して送信")
    expect(finder.get_by_text("届出内容をご確認ください。まだ送信されていません。")).to_be_visible()
    main = finder.locator("main")
    for text in (FINDER_NAME, FINDER_EMAIL, TITLE, "さくらルータ SR-500", "ソフトウエア製品"):
        expect(main).to_contain_text(text)
    expect(main).to_contain_text(re.compile(r"CVSS v3\.1 基本値：8\.8"))
    expect(main.locator(".file-list .filename")).to_have_text(ATTACHMENT_NAME)
    screenshot(finder, "report-confirm-ja.png")
    finder.get_by_role("button", name="届出を送信").click()

    expect(finder).to_have_url(re.compile(r"/ja/report/done/$"))
    expect(finder.get_by_role("heading", level=1)).to_have_text(
        "届出を受け付けました。ありがとうございます"
    )
    tracking_id = finder.locator("strong.reference").inner_text()
    assert TRACKING_ID.match(tracking_id), tracking_id

    # --- The reception clerk --------------------------------------------------------------
    clerk = new_page()
    sign_in(clerk, "clerk")
    clerk.goto("/ja/reception/")
    expect(clerk.get_by_role("heading", level=1)).to_have_text("受付一覧")
    clerk.get_by_role("link", name=tracking_id, exact=True).click()
    expect(clerk).to_have_url(re.compile(r"/ja/reception/reports/\d+/$"))
    report_path = re.sub(r"^https?://[^/]+", "", clerk.url)
    report_id = report_path.rstrip("/").rsplit("/", 1)[1]
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(TITLE)
    # The desk sees the finder; the Japanese file name is kept, also when downloaded.
    expect(clerk.locator("#reported")).to_contain_text(FINDER_NAME)
    attachment = clerk.locator("#attachments").get_by_role("link", name=ATTACHMENT_NAME)
    expect(attachment).to_be_visible()
    with clerk.expect_download() as download:
        attachment.click()
    assert download.value.suggested_filename == ATTACHMENT_NAME

    # The five acceptance checks, one by one (each click reloads the page).
    checks = clerk.get_by_role("table", name="受理要件の5項目と最新の記録")
    rows = checks.locator("tbody tr")
    expect(rows).to_have_count(5)
    for index in range(5):
        row = rows.nth(index)
        label = row.get_by_role("rowheader").inner_text()
        row.get_by_role("textbox").fill("確認済み")
        row.get_by_role("button", name="適合", exact=True).click()
        told(clerk, f"記録しました：{label} — 適合。")
        expect(rows.nth(index).locator(".badge")).to_have_text("適合")
    expect(clerk.locator("#checks")).to_contain_text("5項目中5項目を満たしています")

    # Accept (受理), then forward to the coordination organisation.
    decision = clerk.locator("#decision")
    decision.get_by_role("link", name="届出を受理する").click()
    accept = clerk.locator("#act-accept")
    field(accept, "発見者への連絡事項").fill("受理しました。調整機関に引き継ぎます。")
    accept.get_by_role("button", name="受理して発見者に通知").click()
    told(clerk, "届出を受理し、発見者に通知しました。")
    expect(clerk.locator("#report dd").filter(has_text=re.compile("^受理$"))).to_have_count(1)

    decision.get_by_role("link", name="調整機関への引き継ぎ").click()
    forward = clerk.locator("#act-forward")
    expect(field(forward, "調整機関")).to_have_value(re.compile(r"\d+"))
    field(forward, "調整機関").select_option(label="架け橋 調整センター")
    forward.get_by_role("button", name="引き継ぐ", exact=True).click()
    told(clerk, "として調整機関に引き継ぎました。")
    message = clerk.get_by_role("status").inner_text()
    found = re.search(r"KH-\d{4}-\d+", message)
    assert found, message
    reference = found.group(0)
    # The desk lands on the reception's view of the case: its header and schedule only.
    expect(clerk).to_have_url(re.compile(r"/ja/cases/\d+/$"))
    expect(clerk.locator("#case .reference")).to_have_text(reference)
    expect(clerk.locator("#participants")).to_have_count(0)
    # The report page now links its case.
    clerk.goto(report_path)
    header = clerk.locator("#report")
    expect(header.locator("dd").filter(has_text=re.compile("^調整機関へ転送$"))).to_have_count(1)
    expect(header.get_by_role("link", name=reference, exact=True)).to_be_visible()
    screenshot(clerk, "desk-report-ja.png")

    # --- The coordinator --------------------------------------------------------------------
    coordinator = new_page()
    sign_in(coordinator, "coordinator")
    coordinator.goto("/ja/cases/")
    row = coordinator.get_by_role("row").filter(
        has=coordinator.get_by_role("link", name=reference, exact=True)
    )
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("調整機関へ転送")
    row.get_by_role("link", name=reference, exact=True).click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(TITLE)

    # The finder takes part anonymously: neither the name nor the address is shown.
    anonymous = f"匿名の発見者（{tracking_id}）"
    participants = coordinator.locator("#participants table.participants")
    finder_row = participants.get_by_role("row").filter(
        has=coordinator.get_by_role("rowheader", name=anonymous, exact=True)
    )
    expect(finder_row.get_by_role("cell").first).to_have_text("発見者")
    body = coordinator.locator("body")
    expect(body).not_to_contain_text(FINDER_NAME)
    expect(body).not_to_contain_text(FINDER_EMAIL)
    # What was reported reached the case: its first vulnerability, with the vector.
    expect(coordinator.locator("#vulnerabilities")).to_contain_text(TITLE)
    expect(coordinator.locator("#vulnerabilities")).to_contain_text(
        "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    )

    # The report behind the case, as the coordinators may see it.
    coordinator.goto(f"/ja/reception/reports/{report_id}/for-case/")
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text(tracking_id)
    expect(coordinator.locator("#finder")).to_contain_text(
        "発見者は氏名・連絡先の提供を認めていません。"
    )
    expect(coordinator.locator("body")).not_to_contain_text(FINDER_NAME)
    expect(coordinator.locator("body")).not_to_contain_text(FINDER_EMAIL)
    expect(coordinator.locator("#attachments")).to_contain_text(ATTACHMENT_NAME)
