"""The LibreTranslate adapter against a small server on loopback that implements the
published contract (``POST /translate`` with q, source, target, format, api_key),
including its refusals, a garbled answer and a time-out; then the whole path from the
editor's request through the job to the marked translation."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kakehashi.core.testing import run_pending_jobs
from kakehashi.core.workflow import GuardFailed
from kakehashi.translation import actions
from kakehashi.translation.choices import MachineState, TaskStatus
from kakehashi.translation.engines import EngineError, LibreTranslate, configured_engine
from kakehashi.translation.models import TranslationTask

API_KEY = "test-key"


class Handler(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def _answer(self, status: int, payload: object, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up (the time-out test)
            self.wfile.write(body)

    def do_POST(self) -> None:
        if self.path != "/translate":
            self._answer(404, {"error": "Not Found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        Handler.received.append(request)
        if request.get("api_key") != API_KEY:
            self._answer(403, {"error": "Invalid API key"})
            return
        texts = request["q"] if isinstance(request["q"], list) else [request["q"]]
        joined = " ".join(texts)
        if "SLOW" in joined:
            time.sleep(2)
        if "OVERLOAD" in joined:
            self._answer(429, {"error": "Slowdown: 1 per 1 second"})
            return
        if "BROKEN" in joined:
            self._answer(500, {"error": "Cannot translate text"})
            return
        if "GARBLED" in joined:
            self._answer(200, None, raw=b"<html>not json</html>")
            return
        if request["source"] not in ("ja", "en") or request["format"] != "text":
            self._answer(400, {"error": "Invalid request"})
            return
        out = [f"[{request['target']}] {t}" for t in texts]
        self._answer(200, {"translatedText": out if isinstance(request["q"], list) else out[0]})


@pytest.fixture
def server() -> Iterator[str]:
    Handler.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_translates_a_batch_with_the_published_fields(server):
    engine = LibreTranslate(server, api_key=API_KEY, timeout=5)
    assert engine.translate(["脆弱性です。", "回避策です。"], "ja", "en") == [
        "[en] 脆弱性です。",
        "[en] 回避策です。",
    ]
    sent = Handler.received[-1]
    assert sent == {
        "q": ["脆弱性です。", "回避策です。"],
        "source": "ja",
        "target": "en",
        "format": "text",
        "api_key": API_KEY,
    }


def test_a_wrong_key_is_a_permanent_refusal_with_the_servers_reason(server):
    with pytest.raises(EngineError, match=r"403.*Invalid API key") as caught:
        LibreTranslate(server, api_key="wrong", timeout=5).translate(["a"], "en", "ja")
    assert not caught.value.retryable


@pytest.mark.parametrize(("text", "retryable"), [("OVERLOAD", True), ("BROKEN", True)])
def test_overload_and_server_errors_may_be_retried(server, text, retryable):
    with pytest.raises(EngineError) as caught:
        LibreTranslate(server, api_key=API_KEY, timeout=5).translate([text], "en", "ja")
    assert caught.value.retryable is retryable


def test_a_garbled_answer_is_refused(server):
    with pytest.raises(EngineError, match="unexpected form"):
        LibreTranslate(server, api_key=API_KEY, timeout=5).translate(["GARBLED"], "en", "ja")


def test_a_slow_server_times_out(server):
    with pytest.raises(EngineError, match="in time") as caught:
        LibreTranslate(server, api_key=API_KEY, timeout=0.5).translate(["SLOW"], "en", "ja")
    assert caught.value.retryable


def test_an_unreachable_server_is_reported():
    with pytest.raises(EngineError, match="cannot be reached"):
        LibreTranslate("http://127.0.0.1:9", timeout=2).translate(["a"], "en", "ja")


def test_only_http_urls_are_accepted():
    with pytest.raises(ValueError):
        LibreTranslate("file:///etc/passwd")


def test_machine_translation_is_off_by_default(settings):
    settings.KAKEHASHI_MT_URL = ""
    assert configured_engine() is None


@pytest.mark.django_db
def test_off_means_the_editor_cannot_ask(task, world, settings):
    settings.KAKEHASHI_MT_URL = ""
    translator = world.user("translator")
    task = actions.start_task(task, translator)
    with pytest.raises(GuardFailed, match="not configured"):
        actions.request_machine_translation(task, translator, version=task.version)


@pytest.mark.django_db
def test_the_job_fills_empty_sentences_and_marks_them_until_review(
    task, world, settings, server, django_capture_on_commit_callbacks
):
    settings.KAKEHASHI_MT_URL = server
    settings.KAKEHASHI_MT_API_KEY = API_KEY
    translator, coordinator = world.user("translator"), world.user("coordinator")
    task = actions.start_task(task, translator)
    task = actions.save_translation(task, translator, ["Mine.", "", ""], version=task.version)
    with django_capture_on_commit_callbacks(execute=True):
        task = actions.request_machine_translation(task, translator, version=task.version)
    assert task.machine_state == MachineState.QUEUED
    run_pending_jobs()
    task.refresh_from_db()
    assert task.machine_state == MachineState.DONE
    assert task.machine_translated
    assert task.segments[0] == "Mine."  # what the translator wrote stays
    assert task.segments[1].startswith("[en] 回避策")
    assert Handler.received[-1]["q"] == [
        "回避策として管理画面を無効にしてください。",
        "製品開発者は修正版を公表日までに提供します。",
    ]
    # A second run of the same job (a retry, a reaped worker) changes nothing.
    version = task.version
    assert actions.apply_machine_translation(task.pk) == "nothing to do"
    assert TranslationTask.objects.get(pk=task.pk).version == version
    task = actions.submit_task(task, translator, version=task.version)
    assert task.machine_translated  # still marked: nobody reviewed it yet
    task = actions.review_task(task, coordinator, version=task.version)
    assert task.status == TaskStatus.REVIEWED
    assert not task.machine_translated


@pytest.mark.django_db
def test_a_failing_engine_is_shown_and_changes_no_sentence(
    case, world, settings, server, django_capture_on_commit_callbacks
):
    from kakehashi.cases import actions as case_actions

    settings.KAKEHASHI_MT_URL = server
    settings.KAKEHASHI_MT_API_KEY = API_KEY
    coordinator, translator = world.user("coordinator"), world.user("translator")
    vulnerability = case_actions.add_vulnerability(
        case, actor=coordinator, title_en="X", description_en="BROKEN text. Another one."
    )
    task = actions.request_translation(
        coordinator, case, kind="vulnerability", source_id=vulnerability.pk, target_language="ja"
    )
    task = actions.start_task(task, translator)
    with django_capture_on_commit_callbacks(execute=True):
        task = actions.request_machine_translation(task, translator, version=task.version)
    run_pending_jobs()
    task.refresh_from_db()
    assert task.machine_state == MachineState.FAILED
    assert "HTTP 500" in task.machine_error
    assert task.segments == ["", ""]
    assert not task.machine_translated
