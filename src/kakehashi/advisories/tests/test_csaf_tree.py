"""The CSAF trusted-provider tree under /.well-known/csaf/, checked by our own crawl
(the ``csaf`` package's audit_tree reads changes.csv in the wrong column order):
every listed file exists, hashes match, signatures verify with the platform's public
key, provider-metadata.json is valid under the CSAF 2.0 provider schema, and nothing
of a draft or a scheduled advisory appears before its publication."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from kakehashi.advisories import actions
from kakehashi.advisories.exports.csaf import file_name
from kakehashi.core import pgp

from .conftest import MARKER_EN, MARKER_JA, approve_both, reload
from .test_csaf import csaf_failures, publish

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
ROOT = "/.well-known/csaf"
DATA = Path(__file__).parents[1] / "data" / "csaf"
PASSPHRASE = "provider passphrase"


def _schema(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def provider_errors(metadata: dict) -> list[str]:
    document_schema = _schema("csaf_json_schema.json")
    registry = Registry().with_resource(
        document_schema["$id"], Resource.from_contents(document_schema)
    )
    validator = Draft202012Validator(
        _schema("provider_json_schema.json"), registry=registry, format_checker=FormatChecker()
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(metadata)]


@pytest.fixture(scope="session")
def provider_key() -> pgp.GeneratedKey:
    return pgp.generate_key("CSAF provider", "csaf@kakehashi.test", PASSPHRASE, expires="0")


@pytest.fixture
def signing(settings, tmp_path, provider_key) -> Iterator[pgp.GeneratedKey]:
    path = tmp_path / "platform.asc"
    path.write_text(provider_key.secret_armor, encoding="ascii")
    settings.KAKEHASHI_PGP_SECRET_KEY_FILE = str(path)
    settings.KAKEHASHI_PGP_PASSPHRASE = PASSPHRASE
    yield provider_key


def _get(client: Client, url: str) -> tuple[int, bytes]:
    path = url.removeprefix(SITE)
    response = client.get(path)
    return response.status_code, response.content


def check_tree(client: Client, *, signed: bool) -> dict[str, bytes]:
    """Walk the tree from provider-metadata.json; return every file fetched by URL."""
    fetched: dict[str, bytes] = {}
    status, raw = _get(client, f"{ROOT}/provider-metadata.json")
    assert status == 200
    metadata = json.loads(raw)
    assert provider_errors(metadata) == []
    assert metadata["canonical_url"] == f"{SITE}{ROOT}/provider-metadata.json"
    (distribution,) = metadata["distributions"]
    directory = distribution["directory_url"]
    assert directory == f"{SITE}{ROOT}/clear/"
    keys = metadata.get("public_openpgp_keys", [])
    public_key = ""
    if signed:
        assert metadata["role"] == "csaf_trusted_provider"
        (key,) = keys
        status, armored = _get(client, key["url"])
        assert status == 200
        public_key = armored.decode()
        assert pgp.inspect_public_key(public_key).fingerprint == key["fingerprint"]
    else:
        assert metadata["role"] == "csaf_provider"
        assert keys == []
    status, index = _get(client, directory + "index.txt")
    assert status == 200
    paths = index.decode().splitlines()
    for path in paths:
        status, body = _get(client, directory + path)
        assert status == 200, path
        fetched[directory + path] = body
        document = json.loads(body)
        year, name = path.split("/")
        assert name == file_name(document["document"]["tracking"]["id"])
        assert year == document["document"]["tracking"]["initial_release_date"][:4]
        status, digest = _get(client, directory + path + ".sha512")
        assert status == 200
        assert digest.decode() == f"{hashlib.sha512(body).hexdigest()}  {name}\n"
        status, signature = _get(client, directory + path + ".asc")
        if signed:
            assert status == 200
            assert pgp.verify_detached(body, signature, public_key)
            assert not pgp.verify_detached(body + b" ", signature, public_key)
        else:
            assert status == 404
    status, changes = _get(client, directory + "changes.csv")
    assert status == 200
    rows = list(csv.reader(io.StringIO(changes.decode())))
    assert sorted(row[0] for row in rows) == sorted(paths)
    assert [row[1] for row in rows] == sorted((row[1] for row in rows), reverse=True)
    for path, released in rows:
        document = json.loads(fetched[directory + path])
        assert document["document"]["tracking"]["current_release_date"] == released
    assert changes.decode().startswith('"') or not rows  # CSAF 2.0 quotes both fields
    (feed_ref,) = distribution["rolie"]["feeds"]
    status, raw_feed = _get(client, feed_ref["url"])
    assert status == 200
    feed = json.loads(raw_feed)["feed"]
    assert {e["content"]["src"] for e in feed["entry"]} == {directory + p for p in paths}
    for entry in feed["entry"]:
        rels = {link["rel"]: link["href"] for link in entry["link"]}
        assert rels["hash"] == entry["content"]["src"] + ".sha512"
        assert ("signature" in rels) == signed
    fetched[feed_ref["url"]] = raw_feed
    fetched[directory + "index.txt"] = index
    fetched[directory + "changes.csv"] = changes
    fetched[f"{SITE}{ROOT}/provider-metadata.json"] = raw
    return fetched


def _second_advisory(world, coordinator):
    from kakehashi.cases import actions as case_actions
    from kakehashi.cases.choices import ParticipantRole

    case = case_actions.create_case(
        actor=coordinator,
        coordinator_org=world.organisations["coordination"],
        title_en="Path traversal in Example NAS",
        title_ja="Example NAS におけるパストラバーサル",
    )
    (vendor,) = case_actions.add_participants(
        case,
        actor=coordinator,
        role=ParticipantRole.VENDOR,
        organisations=[world.organisations["vendor-a"]],
    )
    case_actions.add_product(case, vendor, actor=coordinator, name="Example NAS", versions="2.0")
    vulnerability = case_actions.add_vulnerability(
        reload(case), actor=coordinator, title_en="Path traversal"
    )
    recorded = case_actions.record_vendor_status(
        reload(case), vendor, vulnerability, actor=coordinator, status="affected"
    )
    case_actions.approve_vendor_status(reload(case), recorded, actor=coordinator)
    return actions.start_advisory(reload(case), actor=coordinator)


def test_the_signed_tree_is_complete_and_verifies(advisory, coordinator, world, signing, tmp_path):
    approve_both(advisory, coordinator)
    publish(advisory, days=400)
    second = _second_advisory(world, coordinator)
    approve_both(second, coordinator)
    publish(second, days=800)
    client = Client()
    fetched = check_tree(client, signed=True)
    documents = [json.loads(b) for url, b in fetched.items() if "/clear/2" in url]
    assert len(documents) == 4  # two advisories, English and Japanese
    assert sorted(d["document"]["lang"] for d in documents) == ["en", "en", "ja", "ja"]
    for document in documents:
        assert csaf_failures(document, tmp_path) == []
    # the per-advisory URL serves the same bytes as the tree
    for url, body in fetched.items():
        if url.endswith(file_name(advisory.advisory_id)):
            assert client.get(f"/advisories/{advisory.slug}/csaf.json").content == body
    status, listing = _get(client, f"{ROOT}/clear/")
    assert status == 200 and b"index.txt" in listing
    year = json.loads(client.get(f"/advisories/{advisory.slug}/csaf.json").content)["document"][
        "tracking"
    ]["initial_release_date"][:4]
    status, listing = _get(client, f"{ROOT}/clear/{year}/")
    name = file_name(advisory.advisory_id).encode()
    assert status == 200
    assert all(name + end in listing for end in (b'"', b'.sha512"', b'.asc"'))


def test_without_a_platform_key_there_are_no_signatures(advisory, coordinator):
    approve_both(advisory, coordinator)
    publish(advisory)
    fetched = check_tree(Client(), signed=False)
    assert len([url for url in fetched if url.endswith(".json") and "/clear/" in url]) == 2
    assert Client().get(f"{ROOT}/openpgp/{'A' * 40}.asc").status_code == 404


def test_an_unknown_file_or_key_is_not_found(advisory, coordinator, signing):
    approve_both(advisory, coordinator)
    publish_year = publish(advisory).published_at.year
    client = Client()
    assert (
        client.get(f"{ROOT}/clear/{publish_year}/{file_name(advisory.advisory_id)}").status_code
        == 200
    )
    name = file_name(advisory.advisory_id)
    for url in (
        f"{ROOT}/clear/1999/{name}",
        f"{ROOT}/clear/1999/",
        f"{ROOT}/clear/2020/other.json.sha512",
        f"{ROOT}/clear/0{publish_year}/{name}",
        f"{ROOT}/openpgp/{'B' * 40}.asc",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{ROOT}/provider-metadata.json").status_code == 405


def _tree_urls(slug: str) -> list[str]:
    return [
        f"{ROOT}/provider-metadata.json",
        f"{ROOT}/feed-tlp-white.json",
        f"{ROOT}/clear/",
        f"{ROOT}/clear/index.txt",
        f"{ROOT}/clear/changes.csv",
        f"/advisories/{slug}/csaf.json",
    ]


def test_nothing_of_a_draft_or_a_scheduled_advisory_is_in_the_tree(advisory, coordinator, signing):
    client = Client()
    slug = advisory.slug
    name = file_name(advisory.advisory_id)

    def crawl() -> str:
        bodies = [client.get(url).content.decode() for url in _tree_urls(slug)]
        return "\n".join(bodies)

    def years() -> list[str]:
        return [
            line.split("/")[0]
            for line in client.get(f"{ROOT}/clear/index.txt").content.decode().splitlines()
        ]

    for state in ("draft", "scheduled"):
        if state == "scheduled":
            approve_both(advisory, coordinator)
        body = crawl()
        for secret in (MARKER_EN, MARKER_JA, advisory.advisory_id, name):
            assert secret not in body, (state, secret)
        assert years() == []
        assert client.get(f"/advisories/{slug}/csaf.json").status_code == 404
    publish(advisory)
    body = crawl()
    assert MARKER_EN in body and advisory.advisory_id in body and name in body
    assert len(years()) == 2


def test_a_withdrawn_advisory_leaves_the_tree(advisory, coordinator):
    approve_both(advisory, coordinator)
    publish(advisory)
    assert Client().get(f"{ROOT}/clear/index.txt").content != b""
    actions.withdraw(advisory, actor=coordinator, reason_ja="重複", reason_en="Duplicate")
    assert Client().get(f"{ROOT}/clear/index.txt").content == b""
    assert Client().get(f"/advisories/{advisory.slug}/csaf.json").status_code == 404


def test_the_listings_read_one_row_per_request_once_built(
    advisory, coordinator, django_assert_num_queries
):
    approve_both(advisory, coordinator)
    publish(advisory)
    client = Client()
    first = client.get(f"{ROOT}/clear/index.txt").content  # builds and caches the documents
    assert first.count(b"\n") == 2
    for url in (
        f"{ROOT}/clear/index.txt",
        f"{ROOT}/clear/changes.csv",
        f"{ROOT}/feed-tlp-white.json",
    ):
        with django_assert_num_queries(1):  # the current revisions, without their content
            assert client.get(url).status_code == 200
    cache.clear()
    assert client.get(f"{ROOT}/clear/index.txt").content == first
