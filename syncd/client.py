"""The HTTP side of syncd: one small client for the sync contract in docs/api.md.

Thin shell, no decisions: it signs device requests (``shared.request_auth``),
adds the time headers, keeps the best clock-offset sample, and translates
every httpx exception and every non-2xx answer into :mod:`syncd.errors`. The
transport is the test seam (httpx's ``ASGITransport`` in process, a
fault-injecting transport in the fault tests, the real network otherwise).
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from shared import __version__
from shared.batch import BATCH_MEDIA_TYPE
from shared.clock import Clock, SystemClock
from shared.errors import GenbaError
from shared.keys import SigningKey
from shared.request_auth import sign_request
from shared.timefmt import format_rfc3339, parse_rfc3339
from syncd.errors import BadResponse, Refused, ServerFailed, Timeout, TlsError, Unreachable
from syncd.timing import ClockSample, keep_better, sample

API = "/api/v1"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""A roster of thousands of workers fits easily; anything larger is not our server."""


@dataclass(frozen=True, slots=True)
class UploadAnswer:
    outcome: str
    acked: int
    receipt: str
    server_time: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """A 2xx/304 answer, read whole (bounded)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    parsed: Any = None
    """The body decoded once as JSON (``None`` when it is not JSON): read by :meth:`SyncClient._json`."""


@dataclass(frozen=True, slots=True)
class Pulled:
    """A pulled document, or ``None`` body when unchanged (304)."""

    body: dict[str, Any] | None
    etag: str | None


def tls_context(ca_bundle: Path | None) -> ssl.SSLContext | bool:
    """Verification always on; a custom CA bundle (a site's own CA) when given."""
    if ca_bundle is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"cannot use CA bundle {ca_bundle}: {exc}") from None


class SyncClient:
    """Talks to one server as one device epoch. Not thread-safe: syncd runs one job at a time."""

    def __init__(
        self,
        server_url: str,
        *,
        device: str | None = None,
        epoch: int | None = None,
        key: SigningKey | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        ca_bundle: Path | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        clock_sample: ClockSample | None = None,
    ) -> None:
        if not server_url.startswith(("http://", "https://")):
            raise BadResponse(f"server URL must start with http:// or https://: {server_url!r}")
        self.device, self.epoch, self.key = device, epoch, key
        self.clock: Clock = clock or SystemClock()
        self.clock_sample = clock_sample
        self.http = httpx.Client(
            base_url=server_url.rstrip("/"),
            transport=transport,
            verify=tls_context(ca_bundle),
            timeout=timeout,
            headers={"User-Agent": f"genba-syncd/{__version__}"},
            follow_redirects=False,
        )
        self._urls: dict[str, httpx.URL] = {}
        """Absolute URL per API path, merged with the base URL once (not re-parsed on every request)."""

    def close(self) -> None:
        self.http.close()

    # -- time -----------------------------------------------------------------------------------

    @property
    def offset(self) -> timedelta:
        return timedelta(milliseconds=self.clock_sample.offset_ms if self.clock_sample else 0.0)

    def _time_headers(self) -> dict[str, str]:
        return {
            "Genba-Device-Time": format_rfc3339(self.clock.wall()),
            "Genba-Device-Boot": self.clock.boot_id(),
            "Genba-Device-Mono": str(self.clock.boottime_us()),
        }

    def _learn_time(self, server_time: object, t0: Any, t1: Any, rtt_s: float) -> None:
        try:
            moment = parse_rfc3339(server_time)
        except GenbaError:
            return
        self.clock_sample = keep_better(self.clock_sample, sample(t0, moment, t1, rtt_s))

    # -- requests -------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, *, body: bytes = b"", content_type: str | None = None,
        signed: bool = False, headers: dict[str, str] | None = None, skew_retry: bool = True,
    ) -> Answer:
        """Send one request; return a 2xx/304 response or raise a :class:`syncd.errors.SyncError`."""
        full = API + path
        hdrs = self._time_headers() | (headers or {})
        if content_type:
            hdrs["Content-Type"] = content_type
        if signed:
            if self.key is None or self.device is None or self.epoch is None:
                raise BadResponse("a device request needs the device id, epoch and key")
            hdrs["Authorization"] = sign_request(
                self.key, device=self.device, epoch=self.epoch, method=method, path_with_query=full, body=body,
                now=self.clock.wall() + self.offset,
            )
        t0, m0 = self.clock.wall(), time.monotonic()
        try:
            url = self._urls.get(full)
            if url is None:
                url = self.http.build_request(method, full).url
                if len(self._urls) < 64:  # the contract's few paths; audit proofs with queries may pass uncached
                    self._urls[full] = url
            resp = self.http.send(self.http.build_request(method, url, content=body, headers=hdrs), stream=True)
            try:
                content = _read_limited(resp)
            finally:
                resp.close()
        except httpx.ConnectTimeout as exc:
            raise Unreachable(f"connecting to {self.http.base_url} timed out: {exc}") from None
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate" in str(exc).lower():
                raise TlsError(f"the certificate of {self.http.base_url} is not trusted: {exc}") from None
            raise Unreachable(f"cannot connect to {self.http.base_url}: {exc}") from None
        except httpx.TimeoutException as exc:
            raise Timeout(f"{method} {full}: no answer in time ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise ServerFailed(f"{method} {full}: the connection broke ({type(exc).__name__}: {exc})") from None
        t1, rtt = self.clock.wall(), time.monotonic() - m0
        if content is None:
            raise BadResponse(f"{method} {full}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
        if resp.status_code >= 500:
            raise ServerFailed(f"{method} {full}: server error {resp.status_code}")
        if resp.status_code >= 400:
            body_obj = _json_or_none(content)
            if not isinstance(body_obj, dict) or not isinstance(body_obj.get("code"), str):
                raise Refused(f"{method} {full}: HTTP {resp.status_code} without an error code",
                              status=resp.status_code, code=f"http_{resp.status_code}", body={})
            self._learn_time(body_obj.get("server_time"), t0, t1, rtt)
            if body_obj["code"] == "clock_skew" and signed and skew_retry and "server_time" in body_obj:
                # Our clock is far off: the skew answer itself is a time sample; retry once, new nonce.
                return self._send(method, path, body=body, content_type=content_type, signed=True,
                                  headers=headers, skew_retry=False)
            raise Refused(f"{method} {full}: {body_obj['code']}: {body_obj.get('message', '')}",
                          status=resp.status_code, code=body_obj["code"], body=body_obj)
        if resp.status_code not in (200, 201, 204, 304):
            raise BadResponse(f"{method} {full}: unexpected HTTP {resp.status_code}")
        obj = None
        if content and resp.headers.get("content-type", "").startswith("application/json"):
            obj = _json_or_none(content)
            if isinstance(obj, dict):
                self._learn_time(obj.get("server_time"), t0, t1, rtt)
        return Answer(resp.status_code, resp.headers, content, obj)

    def _json(self, resp: Answer, what: str) -> dict[str, Any]:
        obj = resp.parsed if resp.parsed is not None else _json_or_none(resp.content)
        if not isinstance(obj, dict):
            raise BadResponse(f"{what}: the answer is not a JSON object")
        return obj

    # -- the contract ---------------------------------------------------------------------------

    def upload(self, batch: bytes) -> UploadAnswer:
        """POST a batch; the receipt is returned unverified (the caller verifies before trusting it)."""
        resp = self._send("POST", "/batches", body=batch, content_type=BATCH_MEDIA_TYPE)
        obj = self._json(resp, "POST /batches")
        outcome, acked, receipt = obj.get("outcome"), obj.get("acked"), obj.get("receipt")
        if outcome not in ("append", "duplicate") or type(acked) is not int or not isinstance(receipt, str):
            raise BadResponse("POST /batches: the answer lacks outcome, acked or receipt")
        server_time = obj.get("server_time")
        return UploadAnswer(outcome, acked, receipt, server_time if isinstance(server_time, str) else None)

    def get_json(self, path: str, what: str) -> dict[str, Any]:
        """An unsigned GET of a public JSON document (the audit log's checkpoint and proofs)."""
        return self._json(self._send("GET", path), what)

    def latest_receipt(self) -> tuple[str | None, int]:
        """What the server holds for this device epoch (for a device that lost an answer)."""
        obj = self._json(self._send("GET", "/device/receipt", signed=True), "GET /device/receipt")
        receipt, acked = obj.get("receipt"), obj.get("acked")
        if not (receipt is None or isinstance(receipt, str)) or type(acked) is not int:
            raise BadResponse("GET /device/receipt: the answer lacks receipt or acked")
        return receipt, acked

    def _pull(self, path: str, etag: str | None) -> Pulled:
        headers = {"If-None-Match": etag} if etag else None
        resp = self._send("GET", path, signed=True, headers=headers)
        if resp.status_code == 304:
            return Pulled(None, etag)
        return Pulled(self._json(resp, f"GET {path}"), resp.headers.get("etag"))

    def config(self, etag: str | None = None) -> Pulled:
        return self._pull("/device/config", etag)

    def corrections(self, etag: str | None = None) -> Pulled:
        return self._pull("/device/corrections", etag)

    def roster(self, etag: str | None = None) -> Pulled:
        return self._pull("/device/roster", etag)

    def report_status(self, unsent: int, oldest_unsent_age_s: float | None, last_error: str | None,
                      **health: object) -> None:
        """``health``: the reader state, error count and free disk (:func:`shared.kioskstatus.device_health`)."""
        body = json.dumps({"unsent": unsent, "oldest_unsent_age_s": oldest_unsent_age_s,
                           "last_error": last_error, "app": __version__, **health}).encode()
        self._send("POST", "/device/status", body=body, content_type="application/json", signed=True)

    def enroll(self, *, code: str, device: str, epoch: int, key_text: str) -> dict[str, Any]:
        body = json.dumps({"code": code, "device": device, "epoch": epoch, "key": key_text,
                           "app": __version__}).encode()
        resp = self._send("POST", "/enroll", body=body, content_type="application/json")
        return self._json(resp, "POST /enroll")


def _read_limited(resp: httpx.Response) -> bytes | None:
    """The body, or None as soon as it passes :data:`MAX_RESPONSE_BYTES` (never buffer a runaway answer)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _json_or_none(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
