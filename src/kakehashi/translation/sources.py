"""What a task can translate, resolved within one case.

Each source kind has one resolver that finds the row *inside the given case* (a
message of one of the case's threads, a vulnerability, a vendor status or an advisory
text of the case) and returns its text per language. A kind and an id from a form
therefore never reach a row of another case. The caller has already passed
``cases.access`` for the case.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from kakehashi.cases.models import Case, VendorStatus, Vulnerability

from .choices import Language, SourceKind, TaskStatus
from .models import TranslationTask

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def guess_language(text: str) -> str:
    """``ja`` if the text contains kana or kanji, else ``en``."""
    return Language.JA if _JAPANESE.search(text or "") else Language.EN


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Source:
    kind: str
    id: int
    label: str
    texts: dict[str, str]  # language → text; a message has one, in its guessed language
    url: str

    def text(self, language: str) -> str:
        return self.texts.get(language, "").strip()


def _message(case: Case, source_id: int) -> Source | None:
    from kakehashi.messaging.models import Message

    message = (
        Message.objects.filter(pk=source_id, thread__case=case)
        .select_related("thread", "author")
        .first()
    )
    if message is None:
        return None
    url = reverse("messaging:thread", kwargs={"case_id": case.pk, "key": message.thread.key})
    author = message.author.get_username() if message.author else ""
    return Source(
        SourceKind.MESSAGE,
        message.pk,
        f"#{message.pk} {author}".strip(),
        {guess_language(message.body): message.body},
        f"{url}#m{message.pk}",
    )


def _vulnerability(case: Case, source_id: int) -> Source | None:
    vulnerability = Vulnerability.objects.filter(pk=source_id, case=case).first()
    if vulnerability is None:
        return None
    return Source(
        SourceKind.VULNERABILITY,
        vulnerability.pk,
        str(vulnerability)[:300],
        {Language.JA: vulnerability.description_ja, Language.EN: vulnerability.description_en},
        reverse("cases:detail", kwargs={"case_id": case.pk}) + "#vulnerabilities",
    )


def _vendor_statement(case: Case, source_id: int) -> Source | None:
    status = (
        VendorStatus.objects.filter(pk=source_id, case=case)
        .select_related("vendor__organisation", "vulnerability")
        .first()
    )
    if status is None:
        return None
    label = f"{status.vendor.display_name()} / #{status.vulnerability.number}"
    return Source(
        SourceKind.VENDOR_STATEMENT,
        status.pk,
        label[:300],
        {Language.JA: status.statement_ja, Language.EN: status.statement_en},
        reverse("cases:detail", kwargs={"case_id": case.pk}),
    )


ADVISORY_SECTIONS = ("title", "overview", "affected", "description", "impact", "solution")


def _advisory(case: Case, source_id: int) -> Source | None:
    from kakehashi.advisories.models import AdvisoryText

    text = (
        AdvisoryText.objects.filter(pk=source_id, advisory__case=case)
        .select_related("advisory")
        .first()
    )
    if text is None:
        return None
    body = "\n\n".join(
        value.strip() for name in ADVISORY_SECTIONS if (value := getattr(text, name)).strip()
    )
    return Source(
        SourceKind.ADVISORY,
        text.pk,
        f"{text.advisory.advisory_id} [{text.language}]",
        {text.language: body},
        reverse("advisories:editor", kwargs={"advisory_id": text.advisory_id}),
    )


RESOLVERS: dict[str, Callable[[Case, int], Source | None]] = {
    SourceKind.MESSAGE: _message,
    SourceKind.VULNERABILITY: _vulnerability,
    SourceKind.VENDOR_STATEMENT: _vendor_statement,
    SourceKind.ADVISORY: _advisory,
}


def resolve(case: Case, kind: str, source_id: int) -> Source | None:
    """The source of that kind and id within ``case``, or ``None``."""
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        return None
    return resolver(case, source_id)


def case_sources(case: Case) -> list[Source]:
    """The case's texts that a coordinator may send for translation from the case's
    translation page (messages are sent from their thread)."""
    from kakehashi.advisories.models import AdvisoryText

    found: list[Source | None] = []
    for vulnerability_id in case.vulnerabilities.order_by("number").values_list("pk", flat=True):
        found.append(_vulnerability(case, vulnerability_id))
    statements = VendorStatus.objects.filter(case=case).exclude(statement_ja="", statement_en="")
    for status_id in statements.order_by("pk").values_list("pk", flat=True):
        found.append(_vendor_statement(case, status_id))
    advisory_texts = AdvisoryText.objects.filter(advisory__case=case).order_by("-language")
    for text_id in advisory_texts.values_list("pk", flat=True):
        found.append(_advisory(case, text_id))
    return [s for s in found if s is not None and any(t.strip() for t in s.texts.values())]


def current_digests(case: Case, kind: str, tasks: list[TranslationTask]) -> dict[int, str | None]:
    """For each task's source id, the digest of the source's text as it is now (in
    the task's source language), or ``None`` when the source is gone. One query for
    messages, vulnerabilities and statements; advisory texts one each (few)."""
    from kakehashi.messaging.models import Message

    wanted = {t.source_id: t.source_language for t in tasks}
    if not wanted:
        return {}
    result: dict[int, str | None] = dict.fromkeys(wanted)
    if kind == SourceKind.MESSAGE:
        rows = Message.objects.filter(thread__case=case, pk__in=wanted).values_list("pk", "body")
        for pk, body in rows:
            result[pk] = digest(body.strip())
    elif kind in (SourceKind.VULNERABILITY, SourceKind.VENDOR_STATEMENT):
        model, field = (
            (Vulnerability, "description")
            if kind == SourceKind.VULNERABILITY
            else (VendorStatus, "statement")
        )
        for pk, ja, en in model.objects.filter(case=case, pk__in=wanted).values_list(
            "pk", f"{field}_ja", f"{field}_en"
        ):
            result[pk] = digest((ja if wanted[pk] == Language.JA else en).strip())
    else:
        for pk, language in wanted.items():
            source = resolve(case, kind, pk)
            result[pk] = digest(source.text(language)) if source else None
    return result


def reviewed_translations(case: Case, kind: str, language: str) -> dict[int, str]:
    """source id → the reviewed translation into ``language`` of each source of
    ``case`` of ``kind`` whose text has not changed since it was translated: what an
    advisory may publish where the source has no text of that language. The newest
    review wins; a translation of an older text is never used."""
    tasks = list(
        TranslationTask.objects.filter(
            case=case, source_kind=kind, target_language=language, status=TaskStatus.REVIEWED
        ).order_by("-reviewed_at", "-pk")
    )
    now = current_digests(case, kind, tasks)
    chosen: dict[int, str] = {}
    for task in tasks:
        if task.source_id in chosen or not task.text.strip():
            continue
        if now.get(task.source_id) == task.source_sha256:
            chosen[task.source_id] = task.text.strip()
    return chosen
