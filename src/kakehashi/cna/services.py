"""The one adapter between Kakehashi and CVE Services (STYLE point 14).

Everything that talks to CVE Services goes through :class:`CveServices`, built by
:func:`client` from settings: ``KAKEHASHI_CVE_SERVICES_URL`` (``test``, ``prod`` or a
URL — the fake CVE Services in tests and demos), the CNA short name, and the API user
and secret (``KAKEHASHI_CVE_SERVICES_USER`` / ``_KEY`` or the encrypted credential set
with ``kakehashi cna credentials``). HTTP goes through ``cvelib``; its errors become
:class:`ServiceError`, which says whether retrying may help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from cvelib.cve_api import CveApi
from django.conf import settings
from django.utils.translation import gettext as _

from . import secrets
from .models import ServiceCredential

ENVIRONMENTS = {"prod": CveApi.ENVS["prod"], "test": CveApi.ENVS["test"], "dev": CveApi.ENVS["dev"]}


class ServiceError(Exception):
    """A failed call. ``retryable``: an outage or a 5xx/429 (try again later); otherwise
    the service refused the request (4xx) and the same request will fail again."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable


class NotConfigured(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


@dataclass(frozen=True)
class Reservation:
    cve_ids: list[str]
    remaining_quota: int | None
    partial: bool  # HTTP 206: the quota ran out before the whole amount was reserved


@dataclass(frozen=True)
class Quota:
    id_quota: int
    total_reserved: int
    available: int


class CveServices:
    """The calls Kakehashi makes, each returning plain data or raising ServiceError."""

    def __init__(self, *, url: str, org: str, username: str, api_key: str) -> None:
        self.api = CveApi(username=username, org=org, api_key=api_key, url=url)
        self.org = org

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.api._http_request(method, path, **kwargs)
        except requests.HTTPError as error:
            raise _from_http_error(error) from error
        except requests.RequestException as error:
            raise ServiceError(
                _("CVE Services could not be reached: %(error)s") % {"error": error},
                retryable=True,
            ) from error

    def reserve(self, amount: int, year: int, *, sequential: bool = True) -> Reservation:
        params: dict[str, Any] = {"amount": amount, "cve_year": year, "short_name": self.org}
        if amount > 1:
            params["batch_type"] = "sequential" if sequential else "nonsequential"
        response = self._call("post", "cve-id", params=params)
        body = response.json()
        return Reservation(
            cve_ids=[item["cve_id"] for item in body.get("cve_ids", [])],
            remaining_quota=body.get("meta", {}).get("remaining_quota"),
            partial=response.status_code == 206,
        )

    def quota(self) -> Quota:
        body = self._call("get", f"org/{self.org}/id_quota").json()
        return Quota(
            id_quota=int(body["id_quota"]),
            total_reserved=int(body["total_reserved"]),
            available=int(body["available"]),
        )

    def show_id(self, cve_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("get", f"cve-id/{cve_id}").json()
        return result

    def publish(self, cve_id: str, container: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "post", f"cve/{cve_id}/cna", json={"cnaContainer": container}
        ).json()
        return result

    def update(self, cve_id: str, container: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "put", f"cve/{cve_id}/cna", json={"cnaContainer": container}
        ).json()
        return result

    def reject_id(self, cve_id: str) -> dict[str, Any]:
        """Release a reserved ID that has no record (CNA rules 4.5.3.5)."""
        result: dict[str, Any] = self._call(
            "put", f"cve-id/{cve_id}", params={"state": "REJECTED"}
        ).json()
        return result

    def reject_record(self, cve_id: str, container: dict[str, Any], *, published: bool) -> Any:
        """Reject with a rejected container: POST for a reserved ID, PUT once published."""
        method = "put" if published else "post"
        return self._call(method, f"cve/{cve_id}/reject", json={"cnaContainer": container}).json()


def _from_http_error(error: requests.HTTPError) -> ServiceError:
    response = error.response
    status = response.status_code if response is not None else None
    detail = ""
    if response is not None:
        try:
            body = response.json()
            detail = " — ".join(str(body[k]) for k in ("error", "message") if body.get(k))
        except ValueError:
            detail = response.text[:300]
    retryable = status is None or status >= 500 or status == 429
    return ServiceError(
        _("CVE Services answered %(status)s: %(detail)s")
        % {"status": status, "detail": detail or _("no details")},
        status=status,
        retryable=retryable,
    )


def configured_url() -> str:
    value = settings.KAKEHASHI_CVE_SERVICES_URL.strip()
    return ENVIRONMENTS.get(value, value)


def credentials() -> tuple[str, str]:
    """(user, secret): from the environment if set there, else the stored credential."""
    if settings.KAKEHASHI_CVE_SERVICES_USER and settings.KAKEHASHI_CVE_SERVICES_KEY:
        return settings.KAKEHASHI_CVE_SERVICES_USER, settings.KAKEHASHI_CVE_SERVICES_KEY
    stored = ServiceCredential.objects.first()
    if stored is None:
        raise NotConfigured(_("No CVE Services credential is set."))
    try:
        return stored.username, secrets.decrypt(bytes(stored.encrypted_key))
    except secrets.SecretUnreadable as error:
        raise NotConfigured(
            _("The stored CVE Services credential cannot be decrypted; set it again.")
        ) from error


def client() -> CveServices:
    url = configured_url()
    if not url:
        raise NotConfigured(_("CVE Services is not configured (KAKEHASHI_CVE_SERVICES_URL)."))
    if not settings.KAKEHASHI_CNA_SHORT_NAME:
        raise NotConfigured(_("The CNA short name is not configured."))
    username, api_key = credentials()
    return CveServices(
        url=url if url.endswith("/") else f"{url}/",
        org=settings.KAKEHASHI_CNA_SHORT_NAME,
        username=username,
        api_key=api_key,
    )
