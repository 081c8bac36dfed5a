"""The public page and CSV, the desk's page and CSV, and what must never leak."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.advisories.models import Advisory
from kakehashi.cases.models import Case
from kakehashi.intake import actions as intake
from kakehashi.intake.models import Report
from kakehashi.intake.tests.conftest import PRODUCT_REPORT, pass_all_checks
from kakehashi.statistics.quarters import Quarter

from .dataset import advisory, build_history

pytestmark = pytest.mark.django_db

MARKER = "秘匿マーカー-okapi"
VENDOR_MARKER = "Okapi Embargo Devices"


def url(name: str, language: str = "en", **kwargs: str) -> str:
    with translation.override(language):
        return reverse(f"statistics:{name}", kwargs=kwargs or None)


def rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def figure(page: str, key: str) -> list[str]:
    """The cells of one figure's row, newest quarter first, then the total."""
    row = re.search(rf'<tr id="fig-{key}".*?</tr>', page, re.S)
    assert row, key
    return re.findall(r'<td class="number">([^<]*)</td>', row.group(0))


def last_quarter() -> Quarter:
    return Quarter.containing(timezone.now()).previous()


def embargoed_case_last_quarter(world) -> Case:
    """A real report, accepted and forwarded, its case still unpublished, all moved
    back into the last completed quarter; its advisory is scheduled, not public."""
    report = intake.submit_report(
        track="product",
        language="ja",
        data={**PRODUCT_REPORT, "title": MARKER, "vendor_name": VENDOR_MARKER},
        uploads=[],
        reception_org=world.organisations["reception"],
    ).report
    clerk = world.user("clerk")
    pass_all_checks(report, clerk)
    intake.accept_report(report, actor=clerk)
    intake.forward_report(report, actor=clerk, coordinator_org=world.organisations["coordination"])
    report.refresh_from_db()
    when = last_quarter().start + timedelta(days=20)
    Report.objects.filter(pk=report.pk).update(
        submitted_at=when, accepted_at=when, decided_at=when, acknowledged_at=when
    )
    Case.objects.filter(pk=report.case_id).update(created_at=when, title_en=MARKER)
    advisory(world, "international", None, report.case)
    return report.case


def test_the_public_page_shows_completed_quarters_only(client, world):
    build_history(world)
    intake.submit_report(  # this quarter: not on the public page yet
        track="website",
        language="ja",
        data={**PRODUCT_REPORT, "site_url": "https://now.example.jp/"},
        uploads=[],
        reception_org=world.organisations["reception"],
    )
    page = client.get(url("public")).content.decode()
    current = Quarter.containing(timezone.now())
    assert current.code not in page
    assert f'id="col-{last_quarter().code}"' in page
    # Four quarters (newest first) and the total since 2025 Q4.
    assert figure(page, "received_total")[-1] == "6"
    assert "reports_undecided_at_end" not in page


def test_older_quarters_are_a_link_away(client, world):
    build_history(world)
    page = client.get(url("public_until", until="2026-Q1")).content.decode()
    assert figure(page, "received_total") == ["2", "4", "6"]  # 2026 Q1, 2025 Q4, total
    assert figure(page, "websites_fixed_within_90_days") == ["2", "0", "2"]
    assert figure(page, "websites_fixed_operator_local_government") == ["1", "0", "1"]
    assert figure(page, "days_to_publication_median") == ["56", "43", "49.5"]
    assert figure(page, "received_per_business_day") == ["0.03", "0.07", "0.05"]


@pytest.mark.parametrize("until", ["2026-Q9", "nonsense", "2019-Q1"])
def test_a_quarter_outside_the_history_is_not_found(client, world, until):
    build_history(world)
    assert client.get(url("public_until", until=until)).status_code == 404


def test_the_current_quarter_is_not_public(client, world):
    current = Quarter.containing(timezone.now()).code
    assert client.get(url("public_until", until=current)).status_code == 404


def test_the_csv_has_one_row_per_completed_quarter(client, world):
    build_history(world)
    response = client.get(url("public_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    labels, keys, *quarters = table
    assert labels[:4] == ["Quarter", "First day", "Last day", "Reports received"]
    assert keys[:4] == ["quarter", "first_day", "last_day", "received_total"]
    by_quarter = {row[0]: dict(zip(keys, row, strict=True)) for row in quarters}
    assert quarters[0][0] == last_quarter().code  # newest first
    assert by_quarter["2025-Q4"]["received_self_report"] == "1"
    assert by_quarter["2026-Q1"]["advisories_jvnta"] == "1"
    assert by_quarter["2026-Q1"]["days_to_publication_median"] == "56.0"
    assert by_quarter["2025-Q4"]["days_to_publication_median"] == "43.0"
    assert by_quarter[last_quarter().code]["days_to_publication_median"] == ""  # none then
    assert quarters[-1][0] == "2025-Q4"  # the history starts with its first report
    assert "reports_undecided_at_end" not in keys


def test_the_page_and_the_csv_read_in_japanese(client, world):
    build_history(world)
    with translation.override("ja"):
        heading = translation.gettext("Quarterly statistics")
        label = translation.gettext("Reports received")
    page = client.get(url("public", "ja")).content.decode()
    assert heading in page and label in page
    assert rows(client.get(url("public_csv", "ja")))[0][3] == label


def test_nothing_of_an_embargoed_case_leaks(client, world):
    case = embargoed_case_last_quarter(world)
    quarter = last_quarter()
    for language in ("ja", "en"):
        page = client.get(url("public", language)).content.decode()
        text = client.get(url("public_csv", language)).content.decode("utf-8-sig")
        for body in (page, text):
            for secret in (MARKER, VENDOR_MARKER, case.reference, PRODUCT_REPORT["product_name"]):
                assert secret not in body
    page = client.get(url("public")).content.decode()
    # Counted as a received, accepted report and a case in coordination; not published.
    assert figure(page, "received_total")[0] == "1"
    assert figure(page, "accepted_product")[0] == "1"
    assert figure(page, "cases_in_coordination_at_end")[0] == "1"
    assert figure(page, "cases_published")[0] == "0"
    assert figure(page, "advisories_total")[0] == "0"
    assert figure(page, "advisories_jvnvu")[0] == "0"
    assert figure(page, "days_to_publication_median")[0] == "—"
    assert f'id="col-{quarter.code}"' in page
    assert Advisory.objects.filter(case=case, published_at__isnull=True).exists()


def test_a_publication_this_quarter_waits_for_the_quarter_to_end(client, world):
    case = embargoed_case_last_quarter(world)
    Case.objects.filter(pk=case.pk).update(published_at=timezone.now(), phase="published")
    Advisory.objects.filter(case=case).update(state="published", published_at=timezone.now())
    page = client.get(url("public")).content.decode()
    assert figure(page, "cases_published")[0] == "0"
    assert figure(page, "cases_in_coordination_at_end")[0] == "1"
    desk = _desk_client(client, world).get(url("desk")).content.decode()
    assert figure(desk, "cases_published")[0] == "1"  # the desk sees this quarter
    assert figure(desk, "advisories_jvnvu")[0] == "1"


def _desk_client(client, world):
    client.force_login(world.user("coordinator"))
    return client


def test_the_desk_page_has_the_current_quarter_and_the_reasons(client, world):
    build_history(world)
    page = _desk_client(client, world).get(url("desk")).content.decode()
    assert f'id="col-{Quarter.containing(timezone.now()).code}"' in page
    assert "reports_undecided_at_end" in page
    assert "Cases by phase" in page
    page = client.get(url("desk_until", until="2026-Q1")).content.decode()
    assert figure(page, "not_accepted_out_of_scope") == ["0", "1", "1"]
    assert figure(page, "cases_closed_unpublished_not_vulnerability") == ["1", "0", "1"]


def test_the_desk_csv_has_every_figure_and_is_not_cached(client, world):
    build_history(world)
    response = _desk_client(client, world).get(url("desk_csv"))
    assert response["Cache-Control"] == "private, no-store"
    _labels, keys, *quarters = rows(response)
    assert "reports_undecided_at_end" in keys
    assert quarters[0][0] == Quarter.containing(timezone.now()).code


@pytest.mark.parametrize("persona", ["psirt", "finder", "outsider"])
def test_the_desk_statistics_are_for_the_desk_only(client_for, world, persona):
    assert client_for(persona).get(url("desk")).status_code == 404
    assert client_for(persona).get(url("desk_csv")).status_code == 404


def test_the_public_page_is_served_from_the_public_cache(client, world, django_assert_num_queries):
    build_history(world)
    client.get(url("public"))
    with django_assert_num_queries(0):
        assert client.get(url("public")).status_code == 200
