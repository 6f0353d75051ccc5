"""``genba reader probe`` and ``genba reader watch``, through the real command (CliRunner and a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app
from hardware.emulated import FelicaCardPeer
from hardware.vicc import ViccCard
from tests.hardware.pcsc_stack import PcscStack

A = "0123456789ABCDEF"
B = "FEDCBA9876543210"

runner = CliRunner()


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taps.txt"
    path.write_text(text)
    return path


def test_watch_prints_each_tap_as_16_upper_case_hex_digits_and_each_status(tmp_path: Path) -> None:
    taps = script(tmp_path, f"{A.lower()}\nunplug\nreplug\ntap {B}\n")
    result = runner.invoke(app, ["reader", "watch", "--reader", f"sim:{taps}"], env={"GENBA_LANG": "en"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["CONNECTED", "TAP", "DISCONNECTED", "CONNECTED", "TAP"]
    assert f"TAP     {A}  reader=sim" in lines[1]
    assert "unplugged: The card reader was unplugged" in lines[2]
    assert B in lines[4]


def test_watch_json_lines(tmp_path: Path) -> None:
    taps = script(tmp_path, f"{A}\nfail antenna noise\n")
    result = runner.invoke(app, ["reader", "watch", "--reader", f"sim:{taps}", "--json"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["type"], e.get("idm"), e.get("code")) for e in events] == [
        ("status", None, "ok"), ("tap", A, None), ("status", None, "read_error")]
    assert events[2]["detail"] == "antenna noise"


def test_watch_reads_standard_input_until_end_of_input_in_japanese_by_default() -> None:
    result = runner.invoke(app, ["reader", "watch", "--reader", "sim:-"], input=f"{A}\nnot-a-card\n{B}\n",
                           env={"GENBA_LANG": ""})
    assert result.exit_code == 0, result.output
    assert [line.split()[2] for line in result.stdout.splitlines() if " TAP " in line] == [A, B]
    assert "bad_input: シミュレーターへの入力が正しくありません" in result.stdout


def test_watch_stops_after_count_taps(tmp_path: Path) -> None:
    taps = script(tmp_path, f"{A}\n{B}\n{A}\nwait 3600\n")
    result = runner.invoke(app, ["reader", "watch", "--reader", f"sim:{taps}", "--count", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(" TAP ") == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--reader", "bogus"], "bad_reader_path"),
        (["--reader", "usb:xyz"], "bad_reader_path"),
        (["--reader", "udp:host:0"], "bad_reader_path"),
        (["--reader", "sim:"], "bad_reader_path"),
        (["--reader", "sim:/no/such/file.txt"], "bad_script"),
        (["--reader", "udp", "--service-code", "zz"], "hexadecimal"),
        (["--reader", "udp", "--service-code", "12345"], "0000–FFFF"),
        (["--reader", "udp", "--system-code", "FE00"], "--service-code"),
        (["--reader", "sim", "--service-code", "090F"], "simulated reader"),
        (["--reader", "sim", "--count", "0"], "count"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_clear_reason(args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["reader", "watch", *args], env={"GENBA_LANG": "en"})
    assert result.exit_code != 0
    assert needle in result.output
    assert "Traceback" not in result.output


def test_bad_script_line_is_named_and_nothing_is_printed_as_a_tap(tmp_path: Path) -> None:
    taps = script(tmp_path, f"{A}\ntap 12\n")
    result = runner.invoke(app, ["reader", "watch", "--reader", f"sim:{taps}"], env={"GENBA_LANG": "en"})
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert " TAP " not in result.stdout


def test_watch_through_nfcpy_udp_prints_the_emulated_card(peer: FelicaCardPeer) -> None:
    peer.present(A)
    result = runner.invoke(app, ["reader", "watch", "--reader", peer.path, "--count", "1", "--poll-interval", "0.05"])
    assert result.exit_code == 0, result.output
    assert f"TAP     {A}  reader={peer.path}  pmm=" in result.stdout


def test_watch_through_pcsc_prints_the_virtual_card(pcscd: PcscStack, vicc: ViccCard) -> None:
    vicc.present(B)
    result = runner.invoke(app, ["reader", "watch", "--reader", "pcsc:0", "--count", "1"])
    assert result.exit_code == 0, result.output
    assert f"TAP     {B}  reader=pcsc:0" in result.stdout


def test_probe_lists_pcsc_readers_and_what_auto_would_use(pcscd: PcscStack) -> None:
    result = runner.invoke(app, ["reader", "probe", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["pcscd"]["running"] is True
    assert report["pcscd"]["readers"][0] == {"name": "Virtual PCD 00 00", "path": "pcsc:0", "backend": "pcsc"}
    assert report["auto"] == "pcsc:0"
    text = runner.invoke(app, ["reader", "probe"], env={"GENBA_LANG": "en"})
    assert "pcsc:0  Virtual PCD 00 00  backend=pcsc" in text.stdout
    assert "--reader auto would use: pcsc:0" in text.stdout


def test_probe_without_pcscd_or_usb_reader_says_what_to_do_and_exits_1(pcsc_stack: PcscStack) -> None:
    pcsc_stack.stop()
    result = runner.invoke(app, ["reader", "probe"], env={"GENBA_LANG": "en"})
    assert result.exit_code == 1
    assert "pcscd: not running" in result.stdout
    assert "No usable card reader found" in result.output


def test_watch_exits_cleanly_on_ctrl_c() -> None:
    env = {**os.environ, "GENBA_LANG": "en", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from genba.cli import main; main()", "reader", "watch", "--reader", "sim"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert "CONNECTED ok" in first
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Stopped." in err
    assert "Traceback" not in err
