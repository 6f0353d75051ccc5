"""Device-signed requests: the canonical string, the header, and every way a request can be refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import BadSignature, FormatError
from shared.keys import SigningKey
from shared.request_auth import (
    ClockSkew,
    DeviceAuth,
    Replayed,
    ReplayGuard,
    canonical_request,
    parse_header,
    sign_request,
    verify_request,
)

NOW = datetime(2026, 11, 22, 3, 0, 0, tzinfo=UTC)
KEY = SigningKey(name="kiosk-abc.e1", seed=bytes(range(32)))
OTHER = SigningKey(name="kiosk-abc.e1", seed=bytes(range(1, 33)))
NONCE = "0123456789abcdef0123456789abcdef"


def signed(**over: object) -> str:
    args: dict[str, object] = dict(device="kiosk-abc", epoch=1, method="GET", path_with_query="/api/v1/device/roster",
                                   body=b"", now=NOW, nonce=NONCE)
    args.update(over)
    return sign_request(KEY, **args)  # type: ignore[arg-type]


def check(header: str, *, method: str = "GET", path: str = "/api/v1/device/roster", body: bytes = b"",
          now: datetime = NOW) -> DeviceAuth:
    auth = parse_header(header)
    verify_request(auth, KEY.verifier, method=method, path_with_query=path, body=body, now=now)
    return auth


def test_canonical_request_is_exactly_the_documented_string() -> None:
    got = canonical_request("POST", "/api/v1/device/status?x=1", "2026-11-22T03:00:00.000Z", NONCE, b"{}")
    assert got == (
        b"genba-request v1\nPOST\n/api/v1/device/status?x=1\n2026-11-22T03:00:00.000Z\n" + NONCE.encode()
        + b"\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n"
    )


def test_header_has_the_documented_form_and_round_trips() -> None:
    header = signed()
    prefix = "Genba-Device device=kiosk-abc,epoch=1,ts=2026-11-22T03:00:00.000Z,nonce="
    assert header.startswith(prefix + NONCE + ",sig=")
    auth = check(header)
    assert (auth.device, auth.epoch, auth.nonce) == ("kiosk-abc", 1, NONCE)
    assert auth.header() == header


def test_signature_covers_method_path_query_and_body() -> None:
    header = signed(method="POST", path_with_query="/api/v1/device/status?a=1", body=b'{"unsent":1}')
    check(header, method="POST", path="/api/v1/device/status?a=1", body=b'{"unsent":1}')
    for method, path, body in [
        ("GET", "/api/v1/device/status?a=1", b'{"unsent":1}'),
        ("POST", "/api/v1/device/status?a=2", b'{"unsent":1}'),
        ("POST", "/api/v1/device/status", b'{"unsent":1}'),
        ("POST", "/api/v1/device/status?a=1", b'{"unsent":2}'),
    ]:
        with pytest.raises(BadSignature):
            check(header, method=method, path=path, body=body)


def test_signature_by_another_key_is_refused() -> None:
    header = sign_request(OTHER, device="kiosk-abc", epoch=1, method="GET", path_with_query="/x", body=b"", now=NOW)
    with pytest.raises(BadSignature):
        check(header, path="/x")


def test_tampered_timestamp_or_nonce_breaks_the_signature() -> None:
    header = signed()
    with pytest.raises(BadSignature):
        check(header.replace("ts=2026-11-22T03:00:00.000Z", "ts=2026-11-22T03:00:01.000Z"))
    with pytest.raises(BadSignature):
        check(header.replace(NONCE, "f" * 32))


def test_clock_skew_beyond_ten_minutes_is_refused_with_server_time() -> None:
    check(signed(), now=NOW + timedelta(minutes=9, seconds=59))
    with pytest.raises(ClockSkew) as info:
        check(signed(), now=NOW + timedelta(minutes=10, seconds=1))
    assert info.value.to_dict()["server_time"] == "2026-11-22T03:10:01.000Z"
    assert info.value.code == "clock_skew"
    with pytest.raises(ClockSkew):
        check(signed(), now=NOW - timedelta(minutes=11))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer abc",
        "Genba-Device",
        "Genba-Device device=kiosk-abc",
        "genba-device device=kiosk-abc,epoch=1,ts=2026-11-22T03:00:00Z,nonce=" + NONCE + ",sig=AA==",
    ],
)
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(FormatError):
        parse_header(header)


def test_each_malformed_field_is_refused() -> None:
    good = signed()
    sig = good.rsplit("sig=", 1)[1]
    bad = [
        good.replace("epoch=1", "epoch=0"),
        good.replace("epoch=1", "epoch=01"),
        good.replace("device=kiosk-abc", "device=KIOSK"),
        good.replace("ts=2026-11-22T03:00:00.000Z", "ts=yesterday"),
        good.replace(NONCE, NONCE.upper()),
        good.replace(NONCE, NONCE[:-2]),
        good.replace(sig, "not base64!"),
        good.replace(sig, base64.b64encode(b"x" * 63).decode()),
        good + ",sig=" + sig,
        good + ",extra=1",
        good.replace(",nonce=", ",nonce=,x="),
        "Genba-Device " + "x" * 2000,
    ]
    for header in bad:
        with pytest.raises(FormatError):
            parse_header(header)


def test_replay_guard_refuses_a_nonce_seen_in_the_window() -> None:
    guard = ReplayGuard()
    auth = check(signed())
    guard.check_and_remember(auth, NOW)
    with pytest.raises(Replayed) as info:
        guard.check_and_remember(auth, NOW + timedelta(seconds=5))
    assert info.value.code == "replayed"
    # the same nonce of another device or epoch is a different request
    guard.check_and_remember(DeviceAuth("kiosk-xyz", 1, auth.ts, auth.nonce, auth.sig), NOW)
    guard.check_and_remember(DeviceAuth("kiosk-abc", 2, auth.ts, auth.nonce, auth.sig), NOW)


def test_replay_guard_forgets_only_after_the_skew_window() -> None:
    guard = ReplayGuard(max_skew=timedelta(minutes=10))
    auth = check(signed())
    guard.check_and_remember(auth, NOW)
    with pytest.raises(Replayed):
        guard.check_and_remember(auth, NOW + timedelta(minutes=19))
    # by now verify_request refuses the old ts anyway, so the guard may forget it
    guard.check_and_remember(auth, NOW + timedelta(minutes=21))
    assert len(guard) == 1


def test_replay_guard_is_bounded() -> None:
    guard = ReplayGuard(capacity=3)
    for i in range(10):
        guard.check_and_remember(DeviceAuth("kiosk-abc", 1, "2026-11-22T03:00:00Z", f"{i:032x}", b"s" * 64), NOW)
    assert len(guard) <= 3


def test_sign_request_refuses_bad_inputs() -> None:
    with pytest.raises(FormatError):
        signed(nonce="xyz")
    with pytest.raises(FormatError):
        signed(method="get")
    with pytest.raises(FormatError):
        signed(path_with_query="api/v1")
    with pytest.raises(FormatError):
        signed(device="Bad Device")
