"""Our SSVC encoding against every row CERT/CC publishes (copied under cases/data/ssvc/).

The CSV cells hold value *names* ("super effective"); the decision-point JSON files give each
name's key ("S"), so the tests translate names to codes with CERT/CC's data, not with ours.
"""

import csv
import inspect
import json
from collections import Counter
from itertools import product
from pathlib import Path

import pytest
from django.utils.functional import Promise

from kakehashi.cases import ssvc

DATA = Path(ssvc.__file__).parent / "data" / "ssvc"

# Decision-point file behind each CSV column, in column order (the first column is "row").
TRIAGE_COLUMNS = (
    "report_public_1_0_0",
    "supplier_contacted_1_0_0",
    "report_credibility_1_0_0",
    "supplier_cardinality_1_0_0",
    "supplier_engagement_1_0_0",
    "utility_1_0_1",
    "public_safety_impact_2_0_1",
    "decline_track_coordinate_1_0_1",
)
PUBLISH_COLUMNS = (
    "supplier_involvement_1_0_0",
    "exploitation_1_1_0",
    "public_value_added_1_0_0",
    "publish_do_not_publish_1_0_0",
)
CHOICES_FILES = {
    ssvc.ReportPublic: "report_public_1_0_0",
    ssvc.SupplierContacted: "supplier_contacted_1_0_0",
    ssvc.ReportCredibility: "report_credibility_1_0_0",
    ssvc.SupplierCardinality: "supplier_cardinality_1_0_0",
    ssvc.SupplierEngagement: "supplier_engagement_1_0_0",
    ssvc.Utility: "utility_1_0_1",
    ssvc.PublicSafetyImpact: "public_safety_impact_2_0_1",
    ssvc.SafetyImpact: "safety_impact_2_0_1",
    ssvc.SupplierInvolvement: "supplier_involvement_1_0_0",
    ssvc.Exploitation: "exploitation_1_1_0",
    ssvc.PublicValueAdded: "public_value_added_1_0_0",
    ssvc.TriageOutcome: "decline_track_coordinate_1_0_1",
    ssvc.PublishOutcome: "publish_do_not_publish_1_0_0",
}


def decision_point(stem):
    return json.loads((DATA / "decision_points" / f"{stem}.json").read_text(encoding="utf-8"))


def official_rows(csv_name, columns):
    """The CSV as lists of value codes, after checking each header names the expected point."""
    points = [decision_point(stem) for stem in columns]
    with (DATA / csv_name).open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header[1:] == [f"{p['name']} v{p['version']}" for p in points]
        codes = [{v["name"].lower(): v["key"] for v in p["values"]} for p in points]
        return [[code[cell] for code, cell in zip(codes, row[1:], strict=True)] for row in reader]


TRIAGE_ROWS = official_rows("coordinator_triage_1_0_0.csv", TRIAGE_COLUMNS)
PUBLISH_ROWS = official_rows("coordinator_publish_decision_table_1_0_0.csv", PUBLISH_COLUMNS)
TRIAGE_NAMES = [field.name for field in ssvc.TRIAGE_INPUTS]
PUBLISH_NAMES = [field.name for field in ssvc.PUBLISH_INPUTS]


def test_triage_matches_every_official_row():
    wrong = [
        (row, got)
        for row in TRIAGE_ROWS
        if (got := ssvc.coordinator_triage(**dict(zip(TRIAGE_NAMES, row[:-1], strict=True))))
        != row[-1]
    ]
    assert wrong == []


def test_triage_table_has_192_rows_150_decline_15_track_27_coordinate():
    assert len(TRIAGE_ROWS) == 192
    assert len({tuple(row[:-1]) for row in TRIAGE_ROWS}) == 192  # no duplicate, so all combos
    assert Counter(row[-1] for row in TRIAGE_ROWS) == {"D": 150, "T": 15, "C": 27}


def test_triage_over_every_combination_gives_the_official_totals():
    combos = list(product(*(field.choices.values for field in ssvc.TRIAGE_INPUTS)))
    outcomes = Counter(
        ssvc.coordinator_triage(**dict(zip(TRIAGE_NAMES, combo, strict=True))) for combo in combos
    )
    assert len(combos) == 192
    assert outcomes == {"D": 150, "T": 15, "C": 27}


def test_publish_matches_every_official_row():
    wrong = [
        (row, got)
        for row in PUBLISH_ROWS
        if (got := ssvc.coordinator_publish(**dict(zip(PUBLISH_NAMES, row[:-1], strict=True))))
        != row[-1]
    ]
    assert wrong == []


def test_publish_table_has_27_rows_13_do_not_publish_14_publish():
    assert len(PUBLISH_ROWS) == 27
    assert len({tuple(row[:-1]) for row in PUBLISH_ROWS}) == 27
    assert Counter(row[-1] for row in PUBLISH_ROWS) == {"N": 13, "P": 14}


def test_choices_use_the_official_value_keys():
    for choices, stem in CHOICES_FILES.items():
        official = {v["key"] for v in decision_point(stem)["values"]}
        assert set(choices.values) == official, choices.__name__


def test_vector_keys_are_the_official_decision_point_keys():
    for field in ssvc.TRIAGE_INPUTS + ssvc.PUBLISH_INPUTS:
        assert field.key == decision_point(CHOICES_FILES[field.choices])["key"]


def test_inputs_list_every_keyword_argument_in_order():
    triage = inspect.signature(ssvc.coordinator_triage).parameters
    publish = inspect.signature(ssvc.coordinator_publish).parameters
    assert list(triage) == TRIAGE_NAMES
    assert list(publish) == PUBLISH_NAMES


def test_every_label_is_translatable():
    for field in ssvc.TRIAGE_INPUTS + ssvc.PUBLISH_INPUTS:
        assert isinstance(field.label, Promise), field.name
    for choices in CHOICES_FILES:
        for member in choices:
            assert isinstance(member.label, Promise), member


def test_triage_returns_a_choice_and_accepts_members():
    outcome = ssvc.coordinator_triage(
        report_public=ssvc.ReportPublic.NO,
        supplier_contacted=ssvc.SupplierContacted.YES,
        report_credibility=ssvc.ReportCredibility.CREDIBLE,
        supplier_cardinality=ssvc.SupplierCardinality.ONE,
        supplier_engagement=ssvc.SupplierEngagement.UNRESPONSIVE,
        utility=ssvc.Utility.LABORIOUS,
        public_safety_impact=ssvc.PublicSafetyImpact.MINIMAL,
    )
    assert outcome is ssvc.TriageOutcome.TRACK


@pytest.mark.parametrize("name", TRIAGE_NAMES)
def test_triage_names_the_bad_argument_and_the_allowed_codes(name):
    good = dict(zip(TRIAGE_NAMES, TRIAGE_ROWS[0][:-1], strict=True))
    with pytest.raises(ValueError, match=rf"^{name}='yes' is not a \w+ code; expected one of: "):
        ssvc.coordinator_triage(**{**good, name: "yes"})


@pytest.mark.parametrize("name", PUBLISH_NAMES)
def test_publish_names_the_bad_argument_and_the_allowed_codes(name):
    good = dict(zip(PUBLISH_NAMES, PUBLISH_ROWS[0][:-1], strict=True))
    with pytest.raises(ValueError, match=rf"^{name}=None is not a \w+ code"):
        ssvc.coordinator_publish(**{**good, name: None})


def test_bad_value_error_lists_the_codes():
    with pytest.raises(ValueError, match=r"expected one of: FR, C, UU$"):
        ssvc.coordinator_publish(
            supplier_involvement="fix ready", exploitation="N", public_value_added="L"
        )


def test_utility_from_matches_the_official_helper_table():
    with (DATA / "utility_1_0_0.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    names = {v["name"].lower(): v["key"] for v in decision_point("utility_1_0_1")["values"]}
    for row in rows:
        got = ssvc.utility_from(
            row["Automatable v2.0.0"] == "yes", row["Value Density v1.0.0"] == "concentrated"
        )
        assert got == names[row["Utility v1.0.1"]], row


def test_utility_from_refuses_an_unknown_factor():
    with pytest.raises(ValueError, match="True or False"):
        ssvc.utility_from(None, True)


def test_public_safety_impact_from_matches_the_official_helper_table():
    si = {v["name"].lower(): v["key"] for v in decision_point("safety_impact_2_0_1")["values"]}
    psi = {
        v["name"].lower(): v["key"] for v in decision_point("public_safety_impact_2_0_1")["values"]
    }
    with (DATA / "public_safety_impact_1_0_0.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    for row in rows:
        got = ssvc.public_safety_impact_from(si[row["Safety Impact v2.0.1"]])
        assert got == psi[row["Public Safety Impact v2.0.1"]], row


def test_public_safety_impact_from_refuses_an_unknown_code():
    with pytest.raises(ValueError, match=r"^safety_impact='S' is not a SafetyImpact code"):
        ssvc.public_safety_impact_from("S")


def test_triage_vector_lists_inputs_in_table_order_then_the_outcome():
    inputs = {
        "report_public": "N",
        "supplier_contacted": "Y",
        "report_credibility": "C",
        "supplier_cardinality": "M",
        "supplier_engagement": "U",
        "utility": "S",
        "public_safety_impact": "S",
    }
    outcome = ssvc.coordinator_triage(**inputs)
    vector = ssvc.ssvc_vector(ssvc.TRIAGE_TABLE, inputs, outcome)
    assert vector == "COORD_TRIAGEv1.0.0/RP:N/SCON:Y/RC:C/SC:M/SE:U/U:S/PSI:S/O:C/"


def test_publish_vector_ignores_extra_form_fields():
    inputs = {
        "public_value_added": ssvc.PublicValueAdded.LIMITED,
        "exploitation": ssvc.Exploitation.ACTIVE,
        "supplier_involvement": ssvc.SupplierInvolvement.UNCOOPERATIVE_UNRESPONSIVE,
        "note": "not part of the decision",
    }
    vector = ssvc.ssvc_vector(ssvc.PUBLISH_TABLE, inputs, ssvc.PublishOutcome.PUBLISH)
    assert vector == "COORD_PUBLISHv1.0.0/SINV:UU/E:A/PVA:L/O:P/"


def test_vector_refuses_an_unknown_table():
    with pytest.raises(ValueError, match=r"unknown SSVC table 'COORD_TRIAGE 2\.0\.0'"):
        ssvc.ssvc_vector("COORD_TRIAGE 2.0.0", {}, "D")


def test_vector_refuses_a_missing_input():
    inputs = {"supplier_involvement": "FR", "exploitation": "N"}
    with pytest.raises(ValueError, match="needs a value for public_value_added"):
        ssvc.ssvc_vector(ssvc.PUBLISH_TABLE, inputs, "N")


def test_vector_refuses_an_outcome_of_the_other_table():
    inputs = {"supplier_involvement": "FR", "exploitation": "N", "public_value_added": "L"}
    with pytest.raises(ValueError, match=r"^outcome='D' is not a PublishOutcome code"):
        ssvc.ssvc_vector(ssvc.PUBLISH_TABLE, inputs, "D")
