"""Sibling gates: the gates of one site exchange their signed journals on the LAN, with no server.

Each gate's syncd **serves** its own journal as signed batches — the same bytes
as an upload to the server (:class:`shared.batch.Batch`) — and **pulls** every
sibling's, verifying each batch end to end with that sibling's device key
(:func:`shared.verify.verify_batch`) and checking it continues the chain held
for that sibling (:func:`shared.verify.place_batch`). Verified events go to
state.db's ``sibling_events`` (:mod:`shared.state.siblings`), apart from the
journal: they are never uploaded as this gate's own, and this gate's chain
never includes them. The kiosk folds them into today's state, so direction
decisions, today's lists and the roll call are the whole site's.

Keys: a sibling's device key comes from the server's site configuration
(``devices``: every enrolled, unrevoked device of the site), or — for a site
that has never been online — from pairing the gates once with a short code
(``genba siblings pair-code`` on one, ``genba siblings pair HOST:PORT CODE`` on
the other; both learn each other's key, proven with an HMAC of the code).

Refusals: a batch that does not verify (signature, chain, form) is
``sibling_forged``; another event at a seq already held (or a ``prev`` that is
not the held head) is ``sibling_forked``; events of another site are
``sibling_foreign``. Each is stored as an alarm (with the batch as evidence),
nothing of the batch is stored, and the tablet's Gates view shows it.

Requests for a journal are signed by the asking gate's device key
(:mod:`shared.request_auth`, a wider clock window than the server's: gates of an
offline site may disagree on the time) and answered only for known siblings:
the journal holds names and card IDms.

Siblings are found from ``<data dir>/siblings.toml`` (``siblings = ["host:port"]``,
``port``, ``mdns``), ``--sibling`` options, and mDNS/DNS-SD (service type
``_genba-gate._tcp``) through the ``zeroconf`` library.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import sqlite3
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from shared.batch import BATCH_MEDIA_TYPE, DEFAULT_BATCH_EVENTS, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, Batch
from shared.canonical import canonical_bytes
from shared.chain import GENESIS
from shared.clock import Clock, SystemClock
from shared.device import DeviceIdentity
from shared.errors import Fork, FormatError, Gap, GenbaError, UnknownKey, VerificationError
from shared.event import NO_SITE, Event
from shared.files import stamps
from shared.ids import check_device_id
from shared.journal import JournalReader
from shared.json_limits import loads_bounded
from shared.keys import SigningKey, VerifierKey
from shared.messages import explain
from shared.paths import DataDir
from shared.request_auth import ReplayGuard, parse_header, sign_request, verify_request
from shared.state import StateReader, StateWriter
from shared.state.siblings import (
    bindings_scanned,
    prune_sibling_events,
    record_own_bindings,
    record_peer,
    record_sibling_alarm,
    sibling_chain,
    sibling_head_at,
    sibling_keys,
    store_sibling_range,
)
from shared.verify import place_batch, verify_batch
from syncd.errors import (
    PairExpired,
    PairLocked,
    PairRefused,
    SiblingError,
    SiblingForeign,
    SiblingForged,
    SiblingForked,
    SiblingRefused,
    SiblingUnknown,
    SiblingUnreachable,
)

log = logging.getLogger("genba.syncd.siblings")

DEFAULT_PORT = 8781
SERVICE_TYPE = "_genba-gate._tcp.local."
PREFIX = "/sibling/v1"
CONFIG_FILE = "siblings.toml"
PAIRED_FILE = "sibling-keys.json"
PAIR_CODE_FILE = "sibling-pair.json"
PAIR_CODE_TTL = timedelta(minutes=10)
PAIR_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PAIR_CODE_LEN = 10
PAIR_MAX_TRIES = 5
SIBLING_MAX_SKEW = timedelta(hours=12)
"""Gates of a site that has been offline for days may disagree on the time; a signed request is still bounded."""
MAX_PAIR_BODY = 4096
SIBLING_RETENTION = timedelta(days=35)
"""Sibling events older than this are forgotten (the day's lists look back 7 working days; bindings are kept)."""


# -- configuration ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SiblingConfig:
    peers: tuple[str, ...] = ()
    port: int = DEFAULT_PORT
    """The port this gate serves its journal on (0: do not serve)."""
    listen: str = "0.0.0.0"
    mdns: bool = True
    interval_s: float = 5.0

    @property
    def enabled(self) -> bool:
        return bool(self.peers) or self.mdns or self.port > 0


def check_address(text: str) -> str:
    """``host:port`` (IPv6 in brackets) → the same text, or :class:`FormatError`."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise FormatError(f"sibling address must be host:port, not {text!r}")
    if any(c.isspace() or c in "/?#@" for c in host):
        raise FormatError(f"sibling address has a bad host: {text!r}")
    return f"{host}:{int(port)}"


def load_config(data: DataDir, *, extra_peers: Iterable[str] = (), port: int | None = None,
                mdns: bool | None = None) -> SiblingConfig:
    """``<data dir>/siblings.toml`` (optional) with command-line additions."""
    raw: dict[str, Any] = {}
    path = data.root / CONFIG_FILE
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"siblings", "port", "mdns", "listen", "interval_s"}
    if unknown:
        raise FormatError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    peers = raw.get("siblings", [])
    if not isinstance(peers, list) or not all(isinstance(p, str) for p in peers):
        raise FormatError(f"{path}: 'siblings' must be a list of \"host:port\" strings")
    cfg_port = raw.get("port", DEFAULT_PORT)
    if type(cfg_port) is not int or not 0 <= cfg_port < 65536:
        raise FormatError(f"{path}: 'port' must be a port number (0 turns serving off)")
    cfg_mdns = raw.get("mdns", True)
    listen = raw.get("listen", "0.0.0.0")
    interval = raw.get("interval_s", 5.0)
    if not isinstance(cfg_mdns, bool) or not isinstance(listen, str) or not isinstance(interval, int | float):
        raise FormatError(f"{path}: 'mdns' must be true/false, 'listen' an address, 'interval_s' a number")
    all_peers = tuple(dict.fromkeys(check_address(p) for p in [*peers, *extra_peers]))
    return SiblingConfig(peers=all_peers, port=cfg_port if port is None else port, listen=listen,
                         mdns=cfg_mdns if mdns is None else mdns, interval_s=max(0.5, float(interval)))


# -- keys: from the server's site configuration (state.db) and from pairing (a file) -------------------------

@contextlib.contextmanager
def _locked(path: Path) -> Any:
    fd = os.open(str(path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (keys, codes), atomically: temporary file, fsync, rename."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = loads_bounded(path.read_bytes())
    except FileNotFoundError:
        return {}
    except FormatError:
        log.error("%s is not valid JSON; ignored", path)
        return {}
    return raw if isinstance(raw, dict) else {}


def paired_keys(data: DataDir) -> dict[tuple[str, int], VerifierKey]:
    out: dict[tuple[str, int], VerifierKey] = {}
    for item in _read_json(data.root / PAIRED_FILE).get("keys", []):
        try:
            out[(check_device_id(item["device"]), int(item["epoch"]))] = VerifierKey.decode(item["key"])
        except (KeyError, TypeError, ValueError, GenbaError):
            continue
    return out


def add_paired_key(data: DataDir, *, device: str, epoch: int, key: str, site: str | None, at: str) -> None:
    """Trust a sibling's key learnt by pairing (file ``sibling-keys.json``, mode 600; any process may add)."""
    check_device_id(device)
    VerifierKey.decode(key)
    path = data.root / PAIRED_FILE
    with _locked(path):
        held = _read_json(path).get("keys", [])
        keys = [k for k in held if isinstance(k, dict) and (k.get("device"), k.get("epoch")) != (device, epoch)]
        keys.append({"device": device, "epoch": epoch, "key": key, "site": site, "paired_at": at})
        _write_private(path, (json.dumps({"keys": keys}, ensure_ascii=False, indent=1) + "\n").encode())


class Keyring:
    """Sibling keys: the server's (state.db) and the paired ones (file), re-read when either changed."""

    def __init__(self, data: DataDir, state_path: Path) -> None:
        self.data, self.state_path = data, state_path
        self._stamp: object = None
        self._keys: dict[tuple[str, int], VerifierKey] = {}
        self._lock = threading.Lock()

    def _current_stamp(self) -> object:
        return stamps((self.data.root / PAIRED_FILE, self.state_path, Path(str(self.state_path) + "-wal")))

    def keys(self) -> dict[tuple[str, int], VerifierKey]:
        with self._lock:
            stamp = self._current_stamp()
            if stamp != self._stamp:
                with StateReader(self.state_path) as reader:
                    keys = sibling_keys(reader)
                keys.update(paired_keys(self.data))
                self._keys, self._stamp = keys, stamp
            return self._keys

    def keys_for(self, device: str, epoch: int) -> list[VerifierKey]:
        key = self.keys().get((device, epoch))
        return [] if key is None else [key]


# -- pairing ------------------------------------------------------------------------------------------------

def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def new_pair_code(data: DataDir, now: datetime) -> str:
    """A single-use pairing code, valid :data:`PAIR_CODE_TTL`; showing a new one lifts a lockout."""
    code = "".join(secrets.choice(PAIR_CODE_CHARS) for _ in range(PAIR_CODE_LEN))
    path = data.root / PAIR_CODE_FILE
    with _locked(path):
        _write_private(path, json.dumps({"hash": _code_hash(code), "expires": (now + PAIR_CODE_TTL).isoformat(),
                                       "tries": 0}).encode())
    return f"{code[:5]}-{code[5:]}"


def pair_proof(code: str, body: dict[str, Any]) -> str:
    """HMAC-SHA256 of the canonical body (without ``proof``) keyed by the code: proves knowing the code."""
    message = canonical_bytes({k: v for k, v in body.items() if k != "proof"})
    return hmac.new(normalize_code(code).encode(), message, hashlib.sha256).hexdigest()


def _pair_body(identity: DeviceIdentity, key: SigningKey, site: str | None, nonce: str) -> dict[str, Any]:
    return {"device": identity.device, "epoch": identity.epoch, "key": key.verifier.encode(),
            "site": site or "", "nonce": nonce}


def _check_pair_body(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != {"device", "epoch", "key", "site", "nonce", "proof"}:
        raise FormatError("pairing body must have exactly device, epoch, key, site, nonce, proof")
    check_device_id(obj["device"])
    if type(obj["epoch"]) is not int or obj["epoch"] < 1:
        raise FormatError("pairing epoch must be an integer ≥ 1")
    if not all(isinstance(obj[k], str) for k in ("key", "site", "nonce", "proof")):
        raise FormatError("pairing key, site, nonce and proof must be text")
    VerifierKey.decode(obj["key"])
    if len(obj["nonce"]) != 32 or len(obj["proof"]) != 64:
        raise FormatError("pairing nonce or proof has the wrong length")
    return obj


# -- serving: this gate's journal to its siblings ------------------------------------------------------------

@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(status, json.dumps({"code": code, "message": message}).encode(), headers={"X-Genba-Error": code})


class SiblingService:
    """Answers siblings' requests (socket-free: :meth:`handle`; :class:`SiblingServer` puts it on the LAN)."""

    def __init__(self, data: DataDir, identity: DeviceIdentity, key: SigningKey, keyring: Keyring, *,
                 site: Callable[[], str | None], clock: Clock | None = None) -> None:
        self.data, self.identity, self.key, self.keyring = data, identity, key, keyring
        self.site = site
        self.clock: Clock = clock or SystemClock()
        self.replay = ReplayGuard(max_skew=SIBLING_MAX_SKEW)
        self._replay_lock = threading.Lock()
        self._reader: JournalReader | None = None
        self._reader_lock = threading.Lock()
        """One read-only connection for every request thread, used by one at a time."""

    def _journal(self) -> JournalReader | None:
        if self._reader is None:
            self._reader = open_journal(self.data)
        return self._reader

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        try:
            url = urlsplit(target)
            if method == "GET" and url.path == f"{PREFIX}/hello":
                return self._hello()
            if method == "POST" and url.path == f"{PREFIX}/pair":
                return self._pair(body)
            if method != "GET" or url.path not in (f"{PREFIX}/chains", f"{PREFIX}/batch"):
                return _error(404, "not_found", f"no such sibling endpoint: {method} {url.path}")
            refused = self._authenticate(method, target, headers, body)
            if refused is not None:
                return refused
            with self._reader_lock:
                if url.path == f"{PREFIX}/chains":
                    return self._chains()
                return self._batch(parse_qs(url.query))
        except GenbaError as exc:
            return _error(400, exc.code, exc.message)

    def _hello(self) -> Answer:
        body = {"format": "genba.sibling/1", "device": self.identity.device, "epoch": self.identity.epoch,
                "site": self.site() or ""}
        return Answer(200, json.dumps(body).encode())

    def _authenticate(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer | None:
        value = headers.get("authorization")
        if not value:
            return _error(401, "unauthenticated", "sibling requests must be signed by a sibling gate's device key")
        try:
            auth = parse_header(value)
        except FormatError as exc:
            return _error(401, "malformed", exc.message)
        if auth.device == self.identity.device:
            return _error(403, "not_a_sibling", "a gate does not pull its own journal")
        keys = self.keyring.keys_for(auth.device, auth.epoch)
        if not keys:
            return _error(403, "unknown_key", f"device {auth.device} epoch {auth.epoch} is not a known sibling "
                                              "(not in the site configuration, not paired)")
        now = self.clock.wall()
        try:
            verify_request(auth, keys[0], method=method, path_with_query=target, body=body, now=now,
                           max_skew=SIBLING_MAX_SKEW)
            with self._replay_lock:
                self.replay.check_and_remember(auth, now)
        except VerificationError as exc:
            return _error(401, exc.code, exc.message)
        return None

    def _chains(self) -> Answer:
        journal = self._journal()
        epochs = []
        if journal is not None:
            for epoch in sorted(journal.epochs()):
                last, _ = journal.last(epoch)
                last, head = journal.last(epoch)
                pruned, _ = journal.pruned(epoch)
                epochs.append({"epoch": epoch, "first": pruned + 1, "last": last, "head": head.hex()})
        body = {"device": self.identity.device, "site": self.site() or "", "epochs": epochs}
        return Answer(200, json.dumps(body).encode())

    def _batch(self, query: dict[str, list[str]]) -> Answer:
        def one(name: str, default: int | None = None) -> int:
            values = query.get(name)
            if not values:
                if default is None:
                    raise FormatError(f"query parameter {name!r} is required")
                return default
            if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 12:
                raise FormatError(f"query parameter {name!r} must be one positive integer")
            return int(values[0])

        epoch, first = one("epoch"), one("from")
        size = max(1, min(one("max", DEFAULT_BATCH_EVENTS), MAX_BATCH_EVENTS))
        journal = self._journal()
        if journal is None or epoch not in journal.epochs():
            return Answer(204, b"")
        pruned, _ = journal.pruned(epoch)
        first = max(first, pruned + 1, 1)
        while True:
            batch = journal.batch(epoch, first, size)
            if batch is None:
                return Answer(204, b"")
            data = batch.to_bytes()
            if len(data) <= MAX_BATCH_BYTES or size == 1:
                return Answer(200, data, content_type=BATCH_MEDIA_TYPE)
            size = max(1, size // 2)

    def _pair(self, body: bytes) -> Answer:
        if len(body) > MAX_PAIR_BODY:
            return _error(413, "too_large", "pairing body is too large")
        try:
            obj = _check_pair_body(loads_bounded(body))
        except FormatError as exc:
            return _error(400, exc.code, exc.message)
        path = self.data.root / PAIR_CODE_FILE
        now = self.clock.wall()
        with _locked(path):
            held = _read_json(path)
            if not held:
                return _error(401, PairRefused.code, "no pairing code is being shown on this gate")
            if held.get("tries", 0) >= PAIR_MAX_TRIES:
                return _error(429, PairLocked.code, "too many wrong pairing codes; show a new code on this gate")
            expired = datetime.fromisoformat(str(held.get("expires"))) < now
            ok = False
            if not expired:
                # the code is not sent: check the proof against the stored code hash by recomputing with the code
                code = _code_from_file(self.data)
                ok = code is not None and hmac.compare_digest(pair_proof(code, obj), obj["proof"])
            if not ok:
                held["tries"] = int(held.get("tries", 0)) + 1
                _write_private(path, json.dumps(held).encode())
                if expired:  # said apart, so the manager knows to show a new code rather than retype this one
                    return _error(401, PairExpired.code, "the pairing code has expired; show a new one")
                return _error(401, PairRefused.code, "wrong pairing code")
            code = _code_from_file(self.data)
            assert code is not None
            path.unlink()  # single use
            (self.data.root / (PAIR_CODE_FILE + ".code")).unlink(missing_ok=True)
        own_site = self.site()
        if own_site and obj["site"] and obj["site"] != own_site:
            return _error(409, "site_conflict", f"the other gate serves site {obj['site']}, this one {own_site}")
        add_paired_key(self.data, device=obj["device"], epoch=obj["epoch"], key=obj["key"], site=obj["site"] or None,
                       at=now.isoformat())
        reply = _pair_body(self.identity, self.key, own_site, obj["nonce"])
        reply["proof"] = pair_proof(code, reply)
        return Answer(200, json.dumps(reply).encode())


def _code_from_file(data: DataDir) -> str | None:
    """The pairing code itself, kept beside its hash (mode 600) for the serving syncd to compute proofs."""
    try:
        return (data.root / (PAIR_CODE_FILE + ".code")).read_text().strip() or None
    except FileNotFoundError:
        return None


def show_pair_code(data: DataDir, now: datetime) -> str:
    """Make a new pairing code and keep it where this gate's syncd can check proofs against it."""
    shown = new_pair_code(data, now)
    _write_private(data.root / (PAIR_CODE_FILE + ".code"), normalize_code(shown).encode())
    return shown


def pair_with(data: DataDir, identity: DeviceIdentity, key: SigningKey, address: str, code: str, *,
              site: str | None, now: datetime, timeout: float = 10.0) -> dict[str, Any]:
    """Pair this gate with the sibling at ``address`` showing ``code``: both learn each other's key."""
    nonce = secrets.token_hex(16)
    body = _pair_body(identity, key, site, nonce)
    body["proof"] = pair_proof(code, body)
    try:
        resp = httpx.post(f"http://{check_address(address)}{PREFIX}/pair", content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise SiblingUnreachable(f"cannot reach the sibling gate at {address}: {exc}") from None
    if resp.status_code == 429:
        raise PairLocked("the other gate has locked pairing after wrong codes; show a new code there")
    if resp.status_code != 200:
        code_ = _json_code(resp.content)
        if code_ == PairExpired.code:
            raise PairExpired("the pairing code has expired on the other gate; show a new code there")
        if code_ == PairRefused.code:
            raise PairRefused("the other gate refused the pairing code (wrong, or already used)")
        raise SiblingRefused(f"the other gate refused pairing: {code_} ({resp.status_code})")
    try:
        reply = _check_pair_body(loads_bounded(resp.content))
    except FormatError as exc:
        raise SiblingRefused(f"the other gate's pairing answer is not valid: {exc.message}") from None
    if reply["nonce"] != nonce or not hmac.compare_digest(pair_proof(code, reply), reply["proof"]):
        raise PairRefused("the other gate's answer does not prove it knows the code; nothing was stored")
    add_paired_key(data, device=reply["device"], epoch=reply["epoch"], key=reply["key"], site=reply["site"] or None,
                   at=now.isoformat())
    return reply


def open_journal(data: DataDir) -> JournalReader | None:
    """This gate's journal, read-only, usable from any one thread at a time; None before the kiosk made it."""
    path = data.journal
    if not path.exists() or path.stat().st_size == 0:
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=10,
                           check_same_thread=False)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        conn.close()
        return None
    if not {"meta", "epochs", "events"} <= tables:  # the kiosk is creating it this very moment
        conn.close()
        return None
    return JournalReader(path, conn=conn)


def _json_code(content: bytes) -> str:
    try:
        obj = loads_bounded(content)
    except FormatError:
        return "unknown"
    return str(obj.get("code", "unknown")) if isinstance(obj, dict) else "unknown"


class _Handler(BaseHTTPRequestHandler):
    server: SiblingServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sibling http: " + format, *args)

    def _serve(self, method: str) -> None:
        length = self.headers.get("Content-Length")
        body = b""
        if length:
            if not length.isdigit() or int(length) > MAX_PAIR_BODY:
                self._send(_error(413, "too_large", "request body is too large"))
                return
            body = self.rfile.read(int(length))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self._send(self.server.service.handle(method, self.path, headers, body))

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in answer.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if answer.body:
            self.wfile.write(answer.body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


class SiblingServer(ThreadingHTTPServer):
    """This gate's journal on the LAN for its siblings (a thread per request, daemon threads)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, service: SiblingService, host: str, port: int) -> None:
        self.service = service
        super().__init__((host, port), _Handler)
        self.timeout = 30
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> SiblingServer:
        self._thread = threading.Thread(target=self.serve_forever, name="sibling-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


# -- discovery ----------------------------------------------------------------------------------------------

class Discovery:
    """mDNS/DNS-SD: announce this gate and find siblings of the same site (``zeroconf``)."""

    def __init__(self, identity: DeviceIdentity, site: str | None, port: int) -> None:
        from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

        self._found: dict[str, str] = {}
        self._names: set[str] = set()
        self._lock = threading.Lock()
        self.device, self.site = identity.device, site or ""
        self.zc = Zeroconf()
        self.info: ServiceInfo | None = None
        if port > 0:
            addresses = [socket.inet_aton(a) for a in lan_addresses()]
            self.info = ServiceInfo(SERVICE_TYPE, f"genba-{identity.device}.{SERVICE_TYPE}", port=port,
                                    properties={"device": identity.device, "site": self.site},
                                    addresses=addresses or None)
            self.zc.register_service(self.info)

        def changed(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
            # called on zeroconf's own loop: only note the name here; it is resolved by addresses() (never block
            # the loop that answers the queries)
            with self._lock:
                if state_change is ServiceStateChange.Removed:
                    self._names.discard(name)
                    self._found.pop(name, None)
                else:
                    self._names.add(name)
                    self._found.pop(name, None)  # updated: resolve again

        self.browser = ServiceBrowser(self.zc, SERVICE_TYPE, handlers=[changed])

    def addresses(self) -> list[str]:
        """The siblings found so far (resolving new announcements first; called from syncd's worker thread)."""
        with self._lock:
            pending = [n for n in self._names if n not in self._found]
        for name in pending:
            info = self.zc.get_service_info(SERVICE_TYPE, name, timeout=1500)
            address = ""
            if info is not None:
                props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
                same_site = not self.site or props.get("site") in ("", self.site)
                addrs = info.parsed_addresses()
                if props.get("device") != self.device and same_site and addrs and info.port:
                    address = f"{addrs[0]}:{info.port}"
            with self._lock:
                if name in self._names and (address or info is not None):
                    self._found[name] = address  # "" = not a sibling (this gate, another site): never asked again
        with self._lock:
            return sorted({a for a in self._found.values() if a})

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.info is not None:
                self.zc.unregister_service(self.info)
        self.zc.close()


def lan_addresses() -> list[str]:
    """This host's IPv4 addresses on its network interfaces, loopback left out (what mDNS announces)."""
    import ifaddr  # zeroconf's own dependency

    out: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ip.ip.startswith("127.") and ip.ip not in out:
                out.append(ip.ip)
    return out


# -- pulling: siblings' journals into state.db ---------------------------------------------------------------

class _Held:
    """A sibling chain as state.db holds it (:class:`shared.verify.ChainView`)."""

    def __init__(self, state: StateReader, device: str, epoch: int) -> None:
        self.state, self.device, self.epoch = state, device, epoch
        chain = sibling_chain(state, device, epoch)
        self._last = 0 if chain is None else chain.last_seq

    @property
    def last_seq(self) -> int:
        return self._last

    def head_at(self, seq: int) -> bytes:
        head = sibling_head_at(self.state, self.device, self.epoch, seq)
        return b"" if head is None else head  # not held: never equal to a real head → a fork is reported


@dataclass(frozen=True, slots=True)
class _Got:
    status_code: int
    content: bytes


@dataclass
class ExchangeReport:
    pulled: int = 0
    peers: int = 0
    refused: list[SiblingError] = field(default_factory=list)
    errors: list[GenbaError] = field(default_factory=list)


class SiblingExchange:
    """Pulls every sibling's journal (on syncd's one worker thread: it writes state.db)."""

    def __init__(self, data: DataDir, identity: DeviceIdentity, key: SigningKey, state: StateWriter,
                 config: SiblingConfig, keyring: Keyring, *, clock: Clock | None = None,
                 discovery: Discovery | None = None, max_events: int = MAX_BATCH_EVENTS,
                 timeout: float = 10.0) -> None:
        self.data, self.identity, self.key, self.state = data, identity, key, state
        self.config, self.keyring, self.discovery = config, keyring, discovery
        self.clock: Clock = clock or SystemClock()
        self.max_events = max_events
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=3.0))
        self._fetcher = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sibling-fetch")
        self._journal: JournalReader | None = None
        self._pruned_at: datetime | None = None

    def close(self) -> None:
        self._fetcher.shutdown(wait=True)
        self.client.close()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def site(self) -> str | None:
        return self.state.site_config().site or self.identity.site

    def peers(self) -> list[tuple[str, str]]:
        out = [(p, "config") for p in self.config.peers]
        if self.discovery is not None:
            out.extend((p, "mdns") for p in self.discovery.addresses() if p not in self.config.peers)
        return out

    def run_once(self) -> ExchangeReport:
        report = ExchangeReport()
        try:
            self.scan_own_bindings()
            self.prune()
        except GenbaError as exc:
            report.errors.append(exc)
        for address, found_by in self.peers():
            report.peers += 1
            try:  # the peer's row is written once its chains are read (pull_peer), and after the pull
                report.pulled += self.pull_peer(address)
                record_peer(self.state, address, found_by=found_by)
            except SiblingError as exc:
                (report.refused if isinstance(exc, SiblingForged | SiblingForked | SiblingForeign)
                 else report.errors).append(exc)
                record_peer(self.state, address, found_by=found_by, error=(exc.code, explain(exc, "ja")))
                log.warning("sibling %s: %s (%s)", address, exc.message, exc.code)
            except GenbaError as exc:
                report.errors.append(exc)
                record_peer(self.state, address, found_by=found_by, error=(exc.code, explain(exc, "ja")))
                log.warning("sibling %s: %s (%s)", address, exc.message, exc.code)
        return report

    def prune(self) -> int:
        """At most hourly: forget sibling events older than :data:`SIBLING_RETENTION` (state.db stays bounded)."""
        now = self.clock.wall()
        if self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1):
            return 0
        self._pruned_at = now
        return prune_sibling_events(self.state, now - SIBLING_RETENTION)

    # own bindings: the journal's bind events into state.db (they then outlive the journal's retention)
    def scan_own_bindings(self) -> None:
        path = self.data.journal
        if not path.exists() or path.stat().st_size == 0:
            return
        if self._journal is None:
            self._journal = open_journal(self.data)
        if self._journal is None:
            return
        epoch0, seq0 = bindings_scanned(self.state)
        rows = self._journal.conn.execute(
            "SELECT epoch, seq, data FROM events WHERE (epoch, seq) > (?, ?) ORDER BY epoch, seq", (epoch0, seq0))
        binds: list[Event] = []
        last = (epoch0, seq0)
        for epoch, seq, data in rows:
            last = (int(epoch), int(seq))
            if b'"kind":"bind"' in bytes(data):
                binds.append(Event.from_bytes(bytes(data)))
        if last != (epoch0, seq0):
            record_own_bindings(self.state, binds, scanned=last)

    def _get(self, address: str, path_with_query: str) -> _Got:
        header = sign_request(self.key, device=self.identity.device, epoch=self.identity.epoch, method="GET",
                              path_with_query=path_with_query, body=b"", now=self.clock.wall())
        try:
            with self.client.stream("GET", f"http://{address}{path_with_query}",
                                    headers={"Authorization": header}) as stream:
                chunks, size = [], 0
                for chunk in stream.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BATCH_BYTES + 1024:  # a batch's limit: never read more from a sibling
                        chunks.append(chunk)
                        break
                    chunks.append(chunk)
                resp = _Got(stream.status_code, b"".join(chunks))
        except httpx.HTTPError as exc:
            raise SiblingUnreachable(f"cannot reach sibling gate {address}: {exc}") from None
        if resp.status_code in (401, 403):
            code = _json_code(resp.content)
            if code == "unknown_key":
                raise SiblingRefused(f"sibling gate {address} does not know this gate's key yet (pair the gates, "
                                     "or let both pull the site configuration from the server)")
            raise SiblingRefused(f"sibling gate {address} refused: {code}")
        if resp.status_code not in (200, 204):
            raise SiblingRefused(f"sibling gate {address} answered {resp.status_code} ({_json_code(resp.content)})")
        return resp

    def pull_peer(self, address: str) -> int:
        resp = self._get(address, f"{PREFIX}/chains")
        try:
            chains = loads_bounded(resp.content)
            device = check_device_id(chains["device"])
            epochs = [(int(e["epoch"]), int(e["first"]), int(e["last"]), str(e.get("head", "")))
                      for e in chains["epochs"]]
        except (FormatError, KeyError, TypeError, ValueError) as exc:
            raise SiblingRefused(f"sibling gate {address} sent a chain list that is not valid: {exc}") from None
        if device == self.identity.device:
            return 0  # our own address (mDNS, or a configuration listing every gate)
        record_peer(self.state, address, found_by=self._found_by(address), device=device)
        pulled = 0
        for epoch, first, last, head in epochs:
            pulled += self._pull_chain(address, device, epoch, first, last, head)
        return pulled

    def _found_by(self, address: str) -> str:
        return "config" if address in self.config.peers else "mdns"

    def _pull_chain(self, address: str, device: str, epoch: int, first: int, last: int, head: str) -> int:
        held = sibling_chain(self.state, device, epoch)
        if held is not None and 0 < last <= held.last_seq:
            # nothing new; but a peer whose head differs from ours at its last seq holds another history:
            # ask for that one signed event, which proves (or disproves) the fork
            ours = sibling_head_at(self.state, device, epoch, last)
            if ours is not None and ours.hex() != head:  # None: that event was pruned here long ago
                resp = self._get(address, f"{PREFIX}/batch?epoch={epoch}&from={last}&max=1")
                if resp.status_code == 200:
                    self.accept(address, resp.content, expect_device=device)
            return 0
        nxt = (held.last_seq + 1) if held is not None else max(1, first)
        pulled = 0

        def fetch(start: int) -> concurrent.futures.Future[_Got]:
            return self._fetcher.submit(self._get, address,
                                        f"{PREFIX}/batch?epoch={epoch}&from={start}&max={self.max_events}")

        # The next batch is fetched while this one is verified and stored: the sibling reads and signs it and
        # the LAN carries it during the verification here (the two gates' work overlaps instead of alternating).
        coming = fetch(nxt) if nxt <= last else None
        try:
            while coming is not None:
                resp = coming.result()
                coming = None
                if resp.status_code == 204:
                    break
                batch = self._parse(address, resp.content)
                if batch.last < last and batch.last >= nxt:
                    coming = fetch(batch.last + 1)
                stored = self.accept(address, resp.content, expect_device=device, parsed=batch)
                if stored == 0:
                    break
                pulled += stored
                nxt += stored
                if coming is not None and batch.last + 1 != nxt:  # fewer stored than sent: ask from there
                    coming.cancel()
                    with contextlib.suppress(GenbaError, concurrent.futures.CancelledError):
                        coming.result()
                    coming = fetch(nxt) if nxt <= last else None
        finally:
            if coming is not None:  # refused midway: let the fetch in flight finish before the next peer
                coming.cancel()
                with contextlib.suppress(GenbaError, concurrent.futures.CancelledError):
                    coming.result()
        return pulled

    def _parse(self, address: str, body: bytes) -> Batch:
        try:
            return Batch.from_bytes(body)
        except (FormatError, VerificationError) as exc:
            self._alarm(address, "", 0, 0, SiblingForged.code, f"not a batch: {exc.message}", body)
            raise SiblingForged(f"sibling gate {address} sent something that is not a batch: {exc.message}") from None

    def accept(self, address: str, body: bytes, *, expect_device: str | None = None,
               parsed: Batch | None = None) -> int:
        """Verify one sibling batch and store its new events; refuse (with an alarm) what does not verify.
        ``parsed``: ``body`` already read as a batch (by :meth:`_parse`)."""
        batch = parsed if parsed is not None else self._parse(address, body)
        device, epoch, seq = batch.device, batch.epoch, batch.first
        if device == self.identity.device:
            raise SiblingRefused(f"sibling gate {address} sent this gate's own events back; ignored")
        if expect_device is not None and device != expect_device:
            self._alarm(address, device, epoch, seq, SiblingForged.code,
                        f"batch of device {device} served as device {expect_device}", body)
            raise SiblingForged(f"sibling gate {address} served device {device}'s batch as {expect_device}'s")
        try:
            verified = verify_batch(batch, self.keyring.keys_for)
        except UnknownKey as exc:
            if not self.keyring.keys_for(device, epoch):
                raise SiblingUnknown(f"sibling gate {address}: {exc.message}") from None
            # the device's key is known and this is signed by another one: someone speaks for the device
            self._alarm(address, device, epoch, seq, SiblingForged.code, f"{exc.code}: {exc.message}", body)
            raise SiblingForged(f"sibling gate {address} sent a batch not signed by device {device}'s key") from None
        except (VerificationError, FormatError) as exc:
            self._alarm(address, device, epoch, seq, SiblingForged.code, f"{exc.code}: {exc.message}", body)
            raise SiblingForged(f"sibling gate {address} sent a batch that does not verify ({exc.code}): "
                                f"{exc.message}") from None
        site = self.site()
        foreign = [ve.event.seq for ve in verified.events if ve.event.site not in (NO_SITE, site or NO_SITE)]
        if site and foreign:
            self._alarm(address, device, epoch, foreign[0], SiblingForeign.code,
                        f"events of another site from seq {foreign[0]}", body)
            raise SiblingForeign(f"sibling gate {address} sent events of another site (device {device} seq "
                                 f"{foreign[0]})")
        held = _Held(self.state, device, epoch)
        if held.last_seq == 0 and sibling_chain(self.state, device, epoch) is None:
            new = verified.events  # a chain not held yet: it may start after the sibling's pruned beginning
            prev = batch.prev
            if batch.first == 1 and prev != GENESIS:
                self._alarm(address, device, epoch, 1, SiblingForged.code, "seq 1 does not start at genesis", body)
                raise SiblingForged(f"sibling gate {address}: device {device} seq 1 does not start the chain")
        else:
            try:
                placement = place_batch(verified, held)
            except Fork as exc:
                self._alarm(address, device, epoch, exc.seq or seq, SiblingForked.code, exc.message, body)
                raise SiblingForked(f"sibling gate {address}: device {device} epoch {epoch}: {exc.message}") from None
            except Gap as exc:
                raise SiblingRefused(f"sibling gate {address} skipped events: {exc.message}") from None
            new = placement.new_events
            prev = held.head_at(new[0].event.seq - 1) if new else b""
        if not new:
            return 0
        return store_sibling_range(self.state, device=device, epoch=epoch, prev=prev,
                                   events=[(ve.event, ve.data, ve.head) for ve in new], peer=address)

    def _alarm(self, address: str, device: str, epoch: int, seq: int, code: str, detail: str,
               evidence: bytes) -> None:
        log.error("sibling alarm %s from %s: device %s epoch %s seq %s: %s", code, address, device, epoch, seq, detail)
        record_sibling_alarm(self.state, peer=address, device=device or "?", epoch=epoch, seq=seq, code=code,
                             detail=detail, evidence=evidence)


def server_devices(body: dict[str, Any], own_device: str) -> list[tuple[str, int, str]]:
    """The ``devices`` of the server's site configuration: (device, epoch, key) of the site's other gates."""
    devices = body.get("devices")
    if devices is None:
        return []
    if not isinstance(devices, list):
        raise FormatError("site configuration 'devices' must be a list")
    out = []
    for d in devices:
        if not isinstance(d, dict):
            raise FormatError("site configuration 'devices' entries must be objects")
        device, epoch, key = d.get("device"), d.get("epoch"), d.get("key")
        if not isinstance(device, str) or type(epoch) is not int or not isinstance(key, str):
            raise FormatError("site configuration device entries need device, epoch and key")
        check_device_id(device)
        VerifierKey.decode(key)
        if device != own_device:
            out.append((device, epoch, key))
    return out


@contextlib.contextmanager
def sibling_parts(data: DataDir, identity: DeviceIdentity, key: SigningKey, state: StateWriter,
                  config: SiblingConfig, *, clock: Clock | None = None) -> Iterator[SiblingExchange]:
    """Serve this gate's journal, announce and browse mDNS, and pull siblings — for syncd's life."""
    keyring = Keyring(data, state.path)

    def site() -> str | None:
        with StateReader(state.path) as reader:
            return reader.site_config().site or identity.site

    server: SiblingServer | None = None
    if config.port > 0:
        service = SiblingService(data, identity, key, keyring, site=site, clock=clock)
        try:
            server = SiblingServer(service, config.listen, config.port).start()
            log.warning("sibling gates: serving this gate's journal on %s:%d", config.listen, server.port)
        except OSError as exc:
            log.error("sibling gates: cannot serve on port %d (%s); pulling from siblings only", config.port, exc)
    discovery: Discovery | None = None
    if config.mdns:
        try:
            discovery = Discovery(identity, site(), server.port if server is not None else 0)
        except Exception as exc:  # no multicast on this network: configuration still works
            log.error("sibling gates: mDNS unavailable (%s); using the configured siblings only", exc)
    exchange = SiblingExchange(data, identity, key, state, config, keyring, clock=clock, discovery=discovery)
    try:
        yield exchange
    finally:
        exchange.close()
        if discovery is not None:
            discovery.close()
        if server is not None:
            server.stop()
            server.service.close()
