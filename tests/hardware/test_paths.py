"""Reader paths are parsed strictly before anything is opened."""

from __future__ import annotations

import pytest

from hardware.errors import BadReaderPath
from hardware.paths import parse_reader_path, reader_id
from shared.ids import check_reader_id


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("auto", "auto", None),
        ("usb", "usb", None),
        ("usb:054c:06c3", "usb", "054c:06c3"),
        ("usb:054C", "usb", "054C"),
        ("usb:001:004", "usb", "001:004"),
        ("pcsc", "pcsc", None),
        ("pcsc:0", "pcsc", "0"),
        ("pcsc:SONY FeliCa RC-S300/P", "pcsc", "SONY FeliCa RC-S300/P"),
        ("sim", "sim", None),
        ("sim:-", "sim", "-"),
        ("sim:/tmp/taps.txt", "sim", "/tmp/taps.txt"),
    ],
)
def test_accepted_paths_name_their_backend(text: str, kind: str, target: str | None) -> None:
    parsed = parse_reader_path(text)
    assert (parsed.kind, parsed.target, parsed.text) == (kind, target, text)


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [("udp", "localhost", 54321), ("udp:127.0.0.1", "127.0.0.1", 54321), ("udp:card-peer:40001", "card-peer", 40001)],
)
def test_udp_paths_default_like_nfcpy(text: str, host: str, port: int) -> None:
    parsed = parse_reader_path(text)
    assert (parsed.kind, parsed.host, parsed.port, parsed.nfcpy_path) == ("udp", host, port, f"udp:{host}:{port}")


@pytest.mark.parametrize(
    "text",
    [
        "", "usb:", "usb:054c:06c3:1", "usb:xyz", "usb:12345", "pcsc:", "pcsc:   ", "udp:host:0", "udp:host:65536",
        "udp:host:port", "udp:a:b:c", "udp:bad host", "sim:", "serial", "tty:USB0", "auto:x", "USB",
        "usb\n", "x" * 600, "sim:\x00",
    ],
)
def test_bad_paths_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadReaderPath) as caught:
        parse_reader_path(text)
    assert caught.value.code == "bad_reader_path"
    assert caught.value.message


def test_non_text_path_is_refused() -> None:
    with pytest.raises(BadReaderPath):
        parse_reader_path(None)


@pytest.mark.parametrize(
    "raw", ["pcsc:SONY FeliCa RC-S300/P 00 00", "sim", "usb:054c:06c3", "../x", "日本語リーダー", "a" * 100, ""]
)
def test_reader_ids_always_pass_the_shared_check(raw: str) -> None:
    assert check_reader_id(reader_id(raw)) == reader_id(raw)


@pytest.mark.parametrize(
    ("path", "options"),
    [("sim", {"poll_interval": 0.1}), ("udp", {"stream": None}), ("pcsc", {"sysfs": "/sys"}), ("usb", {"speed": 1}),
     ("auto", {"stream": None})],
)
def test_options_a_backend_does_not_take_are_refused_by_name(path: str, options: dict[str, object]) -> None:
    from hardware import open_reader

    with pytest.raises(BadReaderPath) as caught:
        open_reader(path, **options)
    assert next(iter(options)) in caught.value.message
