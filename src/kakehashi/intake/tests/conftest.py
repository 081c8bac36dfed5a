"""Reports as a finder would file them, against the world's reception desk."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kakehashi.intake import actions

PRODUCT_REPORT = {
    "title": "管理画面のクロスサイトスクリプティング",
    "product_name": "Example CMS",
    "product_version": "2.3",
    "vendor_name": "Vendor A",
    "description": "コメント欄に入力したスクリプトが管理画面で実行されます。",
    "environment": "Ubuntu 24.04, Firefox",
    "reproduction": "1. コメントを投稿 2. 管理画面を開く",
    "impact": "管理者のセッションが奪われます。",
    "finder_name": "山田 太郎",
    "finder_email": "yamada@example.test",
    "share_identity_with_vendor": False,
    "allow_direct_contact": False,
    "publish_credit": True,
    "credit_name": "Taro Yamada",
    "cvss_v3_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(world):
    return world.user("clerk")


@pytest.fixture
def submit(world):
    def make(track="product", language="ja", uploads=(), **overrides):
        data = {**PRODUCT_REPORT, **overrides}
        return actions.submit_report(
            track=track,
            language=language,
            data=data,
            uploads=list(uploads),
            reception_org=world.organisations["reception"],
        )

    return make


@pytest.fixture
def report(submit):
    return submit().report


def poc_file(name="検証コード.html", content=b"<script>alert(1)</script>"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def pass_all_checks(report, clerk):
    for check in ("complete", "consistent", "in_scope", "is_vulnerability", "not_known"):
        actions.record_check(report, actor=clerk, check=check, result="pass")
