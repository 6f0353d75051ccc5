"""The udev, modprobe and polkit files under packaging/ cover every reader the code supports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hardware.usb import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "packaging" / "udev" / "60-genba-card-readers.rules"
RULE_PAIR = re.compile(r'^\s*([A-Z_]+(?:\{[A-Za-z_/.]+\})?)\s*(==|!=|=|\+=)\s*"([^"]*)"\s*$')


def rule_lines() -> list[list[tuple[str, str, str]]]:
    rules = []
    for line in RULES.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs = []
        for part in line.split(","):
            match = RULE_PAIR.match(part)
            assert match, f"malformed udev rule part {part!r} in line {line!r}"
            pairs.append((match.group(1), match.group(2), match.group(3)))
        rules.append(pairs)
    return rules


@pytest.mark.parametrize(("vendor", "product"), sorted(SUPPORTED))
def test_every_supported_reader_gets_group_access(vendor: int, product: int) -> None:
    matching = [
        dict((k, v) for k, _, v in pairs) for pairs in rule_lines()
        if ("ATTRS{idVendor}", "==", f"{vendor:04x}") in pairs and ("ATTRS{idProduct}", "==", f"{product:04x}") in pairs
    ]
    assert len(matching) == 1, f"{vendor:04x}:{product:04x} needs exactly one rule"
    assert matching[0]["MODE"] == "0660"
    assert matching[0]["GROUP"] == "plugdev"


def test_rules_only_touch_usb_devices_being_added() -> None:
    heads = rule_lines()[:3]
    assert ("ACTION", "!=", "add|change") in heads[0]
    assert ("SUBSYSTEM", "!=", "usb") in heads[1]
    assert ("ENV{DEVTYPE}", "!=", "usb_device") in heads[2]


def test_port100_is_blacklisted_and_polkit_rule_uses_the_same_group() -> None:
    blacklist = (ROOT / "packaging" / "udev" / "blacklist-port100.conf").read_text()
    assert "\nblacklist port100\n" in blacklist
    polkit = (ROOT / "packaging" / "pcscd" / "50-genba-pcscd.rules").read_text()
    assert 'subject.isInGroup("plugdev")' in polkit
    assert "org.debian.pcsc-lite.access_pcsc" in polkit and "org.debian.pcsc-lite.access_card" in polkit
