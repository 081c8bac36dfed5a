"""A fake CVE Services for tests and demonstrations, following the published contract
(``data/cve-services/api-docs/openapi.json`` and its schemas) for the endpoints that
Kakehashi uses: reserving IDs (with partial reservations when the quota runs out), the
quota, reading and rejecting IDs, publishing, updating and rejecting records.

It keeps its state in memory, checks the three authentication headers, validates
published and rejected containers against the CVE JSON 5.1.1 schemas as the real
service does, and can be told to fail (``fail_next``) to exercise outages and refusals.
Run it by hand with ``kakehashi cna fake-services --port 8001``; never in production.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from .checks import PUBLISHED_SCHEMA, REJECTED_SCHEMA, validator


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakeState:
    org: str
    user: str
    api_key: str
    org_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    id_quota: int = 100
    ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_number: dict[int, int] = field(default_factory=dict)
    failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reserved_count(self) -> int:
        return sum(1 for i in self.ids.values() if i["state"] == "RESERVED")


class FakeCveServices:
    """``with FakeCveServices(org, user, key) as fake: fake.url`` — a running server."""

    def __init__(self, org: str, user: str, api_key: str, *, port: int = 0) -> None:
        self.state = FakeState(org=org, user=user, api_key=api_key)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def start(self) -> FakeCveServices:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeCveServices:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, status: int, error: str = "SERVICE_UNAVAILABLE", times: int = 1) -> None:
        """Answer the next ``times`` requests with ``status`` (an outage or a refusal)."""
        with self.state.lock:
            body = {"error": error, "message": f"Injected failure {status}"}
            self.state.failures.extend([(status, body)] * times)

    def add_foreign_id(self, cve_id: str, owner: str) -> None:
        """An ID reserved by another CNA, for ownership checks."""
        year = int(cve_id.split("-")[1])
        self.state.ids[cve_id] = _id_row(cve_id, year, owner, owner, "someone")


def _id_row(cve_id: str, year: int, org: str, requester_org: str, user: str) -> dict[str, Any]:
    now = _now()
    return {
        "cve_id": cve_id,
        "cve_year": str(year),
        "owning_cna": org,
        "state": "RESERVED",
        "requested_by": {"cna": requester_org, "user": user},
        "reserved": now,
        "time": {"created": now, "modified": now},
    }


class _Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read the state, not the log

    # --- plumbing ------------------------------------------------------------------

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error: str, message: str) -> None:
        self._send(status, {"error": error, "message": message})

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def _dispatch(self, method: str) -> None:
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        state = self.state
        with state.lock:
            state.requests.append((method, url.path))
            if state.failures:
                status, body = state.failures.pop(0)
                self._send(status, body)
                return
            if parts[:1] != ["api"]:
                self._error(404, "NOT_FOUND", "Unknown path")
                return
            parts = parts[1:]
            if parts == ["health-check"]:
                self._send(200, {})
                return
            if (
                self.headers.get("CVE-API-ORG") != state.org
                or self.headers.get("CVE-API-USER") != state.user
                or self.headers.get("CVE-API-KEY") != state.api_key
            ):
                self._error(401, "UNAUTHORIZED", "Unauthorized")
                return
            routes = {
                ("POST", "cve-id"): self._reserve,
                ("GET", "cve-id"): self._show_id,
                ("PUT", "cve-id"): self._update_id,
                ("GET", "org"): self._org,
                ("POST", "cve"): self._record_write,
                ("PUT", "cve"): self._record_write,
                ("GET", "cve"): self._show_record,
            }
            handler = routes.get((method, parts[0] if parts else ""))
            if handler is None:
                self._error(404, "NOT_FOUND", "Unknown endpoint")
                return
            handler(parts, query, method)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # --- endpoints ---------------------------------------------------------------------

    def _reserve(self, parts: list[str], query: dict[str, str], method: str) -> None:
        state = self.state
        try:
            amount = int(query.get("amount", ""))
            year = int(query.get("cve_year", ""))
        except ValueError:
            self._bad("amount and cve_year must be integers", "query")
            return
        if query.get("short_name") != state.org:
            self._error(403, "ORG_CANNOT_RESERVE_FOR_OTHER", "Cannot reserve for another CNA")
            return
        if amount < 1 or not 1999 <= year <= datetime.now(UTC).year + 1:
            self._bad("amount or cve_year out of range", "query")
            return
        batch = query.get("batch_type", "")
        if amount > 1 and batch not in ("sequential", "nonsequential", "non-sequential"):
            self._bad("batch_type is required when amount > 1", "query")
            return
        available = state.id_quota - state.reserved_count()
        if available <= 0:
            self._error(403, "EXCEEDED_ID_QUOTA", "The CNA has no quota left")
            return
        granted = min(amount, available)
        rows = []
        for _ in range(granted):
            number = state.next_number.get(year, 10000)
            if batch.startswith("non"):
                number += random.randint(1, 50)  # noqa: S311 - fake IDs
            state.next_number[year] = number + 1
            cve_id = f"CVE-{year}-{number}"
            row = _id_row(cve_id, year, state.org, state.org, state.user)
            state.ids[cve_id] = row
            rows.append({k: v for k, v in row.items() if k != "time"})
        meta = {"remaining_quota": state.id_quota - state.reserved_count()}
        if granted < amount:
            self._send(
                206,
                {
                    "error": "ID_QUOTA_PARTIALLY_RESERVED",
                    "message": "Only part of the amount was reserved",
                    "details": {"amount_reserved": granted},
                    "cve_ids": rows,
                    "meta": meta,
                },
            )
            return
        self._send(200, {"cve_ids": rows, "meta": meta})

    def _show_id(self, parts: list[str], query: dict[str, str], method: str) -> None:
        row = self.state.ids.get(parts[1]) if len(parts) == 2 else None
        if row is None:
            self._error(404, "CVE_ID_NOT_FOUND", "The CVE ID does not exist")
            return
        self._send(200, row)

    def _update_id(self, parts: list[str], query: dict[str, str], method: str) -> None:
        row = self.state.ids.get(parts[1]) if len(parts) == 2 else None
        if row is None:
            self._error(404, "CVE_ID_NOT_FOUND", "The CVE ID does not exist")
            return
        if row["owning_cna"] != self.state.org:
            self._error(403, "NOT_OWNER_CNA", "The CVE ID belongs to another CNA")
            return
        wanted = query.get("state")
        if wanted not in ("RESERVED", "REJECTED"):
            self._bad("state must be RESERVED or REJECTED", "query")
            return
        if parts[1] in self.state.records:
            self._error(403, "CVE_RECORD_EXISTS", "The ID has a record; reject the record")
            return
        row["state"] = wanted
        row["time"]["modified"] = _now()
        self._send(200, {"message": f"{parts[1]} was updated", "updated": row})

    def _org(self, parts: list[str], query: dict[str, str], method: str) -> None:
        if parts[1:2] != [self.state.org]:
            self._error(404, "ORG_DNE", "The organization does not exist")
            return
        if parts[2:] == ["id_quota"]:
            reserved = self.state.reserved_count()
            self._send(
                200,
                {
                    "id_quota": self.state.id_quota,
                    "total_reserved": reserved,
                    "available": self.state.id_quota - reserved,
                },
            )
            return
        self._send(200, {"short_name": self.state.org, "UUID": self.state.org_id})

    def _show_record(self, parts: list[str], query: dict[str, str], method: str) -> None:
        record = self.state.records.get(parts[1]) if len(parts) == 2 else None
        if record is None:
            self._error(404, "CVE_RECORD_DNE", "The CVE record does not exist")
            return
        self._send(200, record)

    def _record_write(self, parts: list[str], query: dict[str, str], method: str) -> None:
        if len(parts) != 3 or parts[2] not in ("cna", "reject"):
            self._error(404, "NOT_FOUND", "Unknown endpoint")
            return
        cve_id, kind = parts[1], parts[2]
        row = self.state.ids.get(cve_id)
        if row is None:
            self._error(404, "CVE_ID_NOT_FOUND", "The CVE ID does not exist")
            return
        if row["owning_cna"] != self.state.org:
            self._error(403, "NOT_OWNER_CNA", "The CVE ID belongs to another CNA")
            return
        container = self._valid_container(kind)
        if container is None:
            return
        existing = self.state.records.get(cve_id)
        if method == "POST" and existing is not None:
            self._error(403, "CVE_RECORD_EXISTS", "The CVE record already exists")
            return
        if method == "PUT" and existing is None:
            self._error(404, "CVE_RECORD_DNE", "The CVE record does not exist")
            return
        now = _now()
        container = {
            **container,
            "providerMetadata": {**container["providerMetadata"], "dateUpdated": now},
        }
        state = "PUBLISHED" if kind == "cna" else "REJECTED"
        metadata = {
            "cveId": cve_id,
            "assignerOrgId": self.state.org_id,
            "assignerShortName": self.state.org,
            "state": state,
            "dateReserved": row["reserved"],
            "serial": (existing["cveMetadata"]["serial"] + 1) if existing else 1,
            "dateUpdated": now,
        }
        if state == "PUBLISHED":
            metadata["datePublished"] = (
                existing["cveMetadata"].get("datePublished", now) if existing else now
            )
        else:
            metadata["dateRejected"] = now
        record = {
            "dataType": "CVE_RECORD",
            "dataVersion": "5.1",
            "cveMetadata": metadata,
            "containers": {"cna": container},
        }
        self.state.records[cve_id] = record
        row["state"] = state
        row["time"]["modified"] = now
        verb = "created" if method == "POST" else "updated"
        self._send(200, {"message": f"{cve_id} record was {verb}", verb: record})

    def _valid_container(self, kind: str) -> dict[str, Any] | None:
        """The request's container if the schema accepts it; else answer 400, None."""
        body = self._body()
        container = body.get("cnaContainer") if isinstance(body, dict) else None
        if not isinstance(container, dict):
            self._bad("cnaContainer is required", "body")
            return None
        schema = PUBLISHED_SCHEMA if kind == "cna" else REJECTED_SCHEMA
        errors = sorted(e.message for e in validator(schema).iter_errors(container))
        if errors:
            self._send(
                400,
                {
                    "error": "INVALID_JSON_SCHEMA",
                    "message": "CVE JSON schema validation FAILED.",
                    "details": {"errors": [{"message": m} for m in errors[:20]]},
                },
            )
            return None
        return container

    def _bad(self, message: str, location: str) -> None:
        self._send(
            HTTPStatus.BAD_REQUEST,
            {
                "error": "BAD_INPUT",
                "message": "Parameters were invalid",
                "details": [{"msg": message, "param": "", "location": location}],
            },
        )
