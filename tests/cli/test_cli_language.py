"""The command line speaks Japanese by default and English with GENBA_LANG=en: help, framework words, usage errors.

The help texts are chosen when the command tree is built (genba/cli/words.py), so each language is checked in
a fresh process, as a user runs it.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from budoux import load_default_japanese_parser
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from genba.cli.words import PhrasedText, translate_error

KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana and katakana: Japanese prose, not a kanji proper noun
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

#: Walks the whole command tree and prints every command's and every visible parameter's help as JSON.
DUMP = r"""
import json, typer
from typer._click.core import Context
from genba.cli import app
root = typer.main.get_command(app)
found = []
def walk(cmd, path):
    ctx = Context(cmd, info_name=path[-1])
    found.append({"path": " ".join(path), "kind": "command", "name": path[-1], "help": cmd.help or ""})
    params = list(cmd.params)
    helper = cmd.get_help_option(ctx)
    if helper is not None:
        params.append(helper)
    for p in params:
        if getattr(p, "hidden", False):
            continue
        found.append({"path": " ".join(path), "kind": p.param_type_name, "name": max(p.opts, key=len),
                      "help": getattr(p, "help", None) or ""})
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            walk(sub, [*path, name])
walk(root, ["genba"])
print(json.dumps(found, ensure_ascii=False))
"""


def _env(lang: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GENBA_LANG"}
    if lang is not None:
        env["GENBA_LANG"] = lang
    env["COLUMNS"] = "200"
    return env


def _help_of(lang: str | None) -> list[dict[str, Any]]:
    done = subprocess.run([sys.executable, "-c", DUMP], capture_output=True, text=True, env=_env(lang), timeout=120,
                          check=True)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def _genba(lang: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "genba", *args], capture_output=True, text=True, env=_env(lang),
                          timeout=120)


@pytest.fixture(scope="module")
def japanese() -> list[dict[str, Any]]:
    return _help_of(None)  # no GENBA_LANG: Japanese, the default


@pytest.fixture(scope="module")
def english() -> list[dict[str, Any]]:
    return _help_of("en")


def test_every_command_and_option_has_japanese_help_by_default(japanese: list[dict[str, Any]]) -> None:
    assert len([item for item in japanese if item["kind"] == "command"]) >= 50
    missing = [f"{item['path']} {item['name']}" for item in japanese if not JAPANESE.search(item["help"])]
    assert not missing, f"help without Japanese: {missing}"


def test_every_command_and_option_has_english_help_with_genba_lang_en(
        english: list[dict[str, Any]], japanese: list[dict[str, Any]]) -> None:
    assert [(i["path"], i["kind"], i["name"]) for i in english] == [(i["path"], i["kind"], i["name"]) for i in japanese]
    empty = [f"{item['path']} {item['name']}" for item in english if not item["help"].strip()]
    assert not empty, f"no English help: {empty}"
    # Kanji may name a thing (現場, 作業員名簿); kana would be Japanese prose left in the English help.
    prose = [f"{item['path']} {item['name']}: {item['help']}" for item in english if KANA.search(item["help"])]
    assert not prose, f"Japanese prose in the English help: {prose}"
    same = [f"{ja['path']} {ja['name']}" for ja, en in zip(japanese, english, strict=True) if ja["help"] == en["help"]]
    assert not same, f"the same text in both languages: {same}"


def test_the_help_page_frames_japanese_by_default_and_english_on_request() -> None:
    ja = _genba(None, "server", "--help")
    assert ja.returncode == 0, ja.stderr
    for word in ("使い方: ", "オプション", "コマンド", "このヘルプを表示して終了します。", "同期サーバー"):
        assert word in ja.stdout, word
    assert "…" not in ja.stdout  # Japanese has no spaces to wrap at: the help folds it, never cuts it off
    en = _genba("en", "server", "--help")
    assert en.returncode == 0, en.stderr
    for word in ("Usage: ", "Options", "Commands", "Show this message and exit.", "sync server"):
        assert word in en.stdout, word
    assert not KANA.search(en.stdout.replace("現場", ""))


def test_the_root_help_offers_shell_completion_in_japanese() -> None:
    ja = _genba(None, "--help")
    assert "--install-completion" in ja.stdout and "補完" in ja.stdout
    assert "Install completion" not in ja.stdout


@pytest.mark.parametrize("args, ja_says, en_says", [
    (("server", "report", "calendar"), "必要なオプションがありません: '--site'。", "Missing option '--site'."),
    (("server", "report"), "必要な引数がありません: 'kind'。 次から選んでください:", "Missing argument 'kind'."),
    (("nosuch",), "'nosuch' というコマンドはありません。", "No such command 'nosuch'."),
    (("journal", "simulate", "--bogus"), "--bogus というオプションはありません。", "No such option: --bogus"),
    (("journal", "simulate", "--taps", "x"), "'--taps' の値が正しくありません: 整数を指定してください。",
     "Invalid value for '--taps'"),
    (("journal", "simulate", "--taps", "0"), "'--taps' の値が正しくありません: 1 以上を指定してください。",
     "Invalid value for '--taps'"),
    (("journal", "simulate", "--taps"), "オプション '--taps' には値が必要です。",
     "Option '--taps' requires an argument."),
    (("tablet", "pair-code", "--no-qr=1"), "オプション '--no-qr' は値をとりません。",
     "Option '--no-qr' does not take a value."),
    (("journal", "simulate", "extra"), "余分な引数があります（extra）。", "Got unexpected extra argument"),
    (("server", "import", "/nonexistent/batch.json"),
     "'files' の値が正しくありません: ファイル '/nonexistent/batch.json' がありません。", "does not exist"),
])
def test_usage_errors_say_what_is_wrong_in_the_users_language(args: tuple[str, ...], ja_says: str,
                                                              en_says: str) -> None:
    ja = _genba(None, *args)
    assert ja.returncode == 2
    flat = " ".join(ja.stderr.replace("│", " ").split())  # the error panel's borders and wrapping
    assert " ".join(ja_says.split()) in flat, ja.stderr
    assert "使い方は '" in flat and "-h' で確認できます。" in flat, ja.stderr  # and how to get help
    en = _genba("en", *args)
    assert en.returncode == 2
    assert en_says in " ".join(en.stderr.replace("│", " ").split()), en.stderr
    assert "Usage: " in en.stderr and "-h' for help." in en.stderr, en.stderr
    assert not KANA.search(en.stderr)


@pytest.mark.parametrize("english, japanese", [
    ("Missing option '--site'.", "必要なオプションがありません: '--site'。"),
    ("Missing argument 'KIND'. Choose from:\n\ta,\n\tb",
     "必要な引数がありません: 'KIND'。 次から選んでください:\n\ta,\n\tb"),
    ("Missing parameter: site", "必要な指定がありません: site"),
    ("No such option: --x (Possible options: --xa, --xb)", "--x というオプションはありません。（候補: --xa, --xb）"),
    ("Invalid value for '--n': 'q' is not one of 'a', 'b'.",
     "'--n' の値が正しくありません: 'q' は使えません。次のどれかにしてください: 'a', 'b'"),
    ("Invalid value: Input should be a valid number, unable to parse string as a number",
     "値が正しくありません: 数値を指定してください。"),
    ("Invalid value for '--n': Input should be less than or equal to 5",
     "'--n' の値が正しくありません: 5 以下を指定してください。"),
    ("Invalid value for 'D': dir '/x' is a file.",
     "'D' の値が正しくありません: ディレクトリ '/x' はファイルです。ディレクトリを指定してください。"),
    ("Invalid value for 'F': file '/x' is not readable.",
     "'F' の値が正しくありません: ファイル '/x' を読めません。権限を確認してください。"),
    ("Option '--n' does not take a value.", "オプション '--n' は値をとりません。"),
])
def test_each_known_usage_error_reads_in_japanese(english: str, japanese: str) -> None:
    assert translate_error(english) == japanese


def test_an_unknown_message_is_left_as_it_is() -> None:
    assert translate_error("something Typer says that we do not know") == "something Typer says that we do not know"


def _render(text: Text, width: int) -> list[str]:
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(PhrasedText(text))
    return console.export_text().rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [12, 20, 33, 50, 80])
def test_japanese_help_wraps_between_phrases_within_the_width(width: int) -> None:
    sentence = ("作業員名簿（state.db）を FILE の内容で置き換えます。不正な行が1行でもあれば何も取り込みません。"
                "サーバーのない現場では、--site でこのキオスクの現場も設定します。")
    lines = _render(Text(sentence), width)
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == sentence.replace(" ", "")  # nothing lost, nothing cut off with …
    phrases = load_default_japanese_parser().parse(sentence)
    bounds = {0}
    for phrase in phrases:
        pos = max(bounds)
        bounds.add(pos + len(phrase))
    bounds |= {i + 1 for i, ch in enumerate(sentence) if ch == " "}
    starts = [len("".join(lines[:i]).replace(" ", "")) for i in range(1, len(lines))]
    squeezed_bounds = {len(sentence[:b].replace(" ", "")) for b in bounds}
    widest_phrase = max(cell_len(p.strip()) for p in phrases)
    if widest_phrase <= width:  # every line starts at a phrase or after a space
        assert all(start in squeezed_bounds for start in starts), (lines, phrases)
    if width >= 50:
        assert len(lines) <= len(sentence) * 2 // width + 2  # lines are filled, not one phrase each


def test_a_phrase_wider_than_the_line_is_folded_and_styles_and_paragraphs_are_kept() -> None:
    text = Text("ジャーナルファイルデータベース記録。\n\n次の段落 --site です。")
    text.stylize("bold", text.plain.index("--site"), text.plain.index("--site") + 6)
    lines = _render(text, 8)
    assert all(cell_len(line) <= 8 for line in lines), lines
    assert "" in lines  # the blank line between the paragraphs
    rendered = PhrasedText(text).__rich_console__(Console(width=8), Console(width=8).options)
    out = next(iter(rendered))
    assert isinstance(out, Text)
    start = out.plain.index("--site")
    assert any(span.style == "bold" and span.start <= start < span.end for span in out.spans)


def test_text_without_japanese_breaks_at_spaces() -> None:
    assert _render(Text("Write one report of a site's month."), 12) == ["Write one", "report of a", "site's", "month."]
