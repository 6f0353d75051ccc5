"""The command line's own words in the user's language: Japanese by default, English with ``GENBA_LANG=en``.

Every screen and message of Genba is Japanese first (:mod:`shared.messages`); so is ``genba --help``. A
command's help, its options' help and its group's description are written as ``h("日本語", "English")``.
Typer builds the help when the command tree is defined, so the language is read once, when
:mod:`genba.cli` is imported: the language of the process (``GENBA_LANG=en genba server --help`` prints
English). Runtime messages go through :func:`shared.messages.t`, which reads ``GENBA_LANG`` at the moment
of speaking.

:func:`localize_framework` gives Click's and Typer's own words (usage line, panel titles, ``--help``'s
help, the usage errors such as a missing option) the same language. tests/cli/test_cli_language.py checks
that every command and option has help in both languages and that the framework's words follow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from shared.messages import current_lang, t
from shared.phrases import CJK, phrases

#: The language of this process's command line, read once when the command tree is built.
LANG = current_lang()


def h(ja: str, en: str) -> str:
    """The help text in this process's language (:func:`shared.messages.t` with the language read at import)."""
    return t(ja, en, LANG)


#: Typer's own words in Japanese: the rich help's constants (panel titles and the like, which Typer fixes when it
#: is imported), keyed by their English text.
RICH_JA: dict[str, str] = {
    "(deprecated) ": "（廃止予定） ",
    "[default: {}]": "[既定値: {}]",
    "[env var: {}]": "[環境変数: {}]",
    "[required]": "[必須]",
    "Arguments": "引数",
    "Options": "オプション",
    "Commands": "コマンド",
    "Error": "エラー",
    "Aborted.": "中止しました。",
    "Try [blue]'{command_path} {help_option}'[/] for help.":
        "使い方は [blue]'{command_path} {help_option}'[/] で確認できます。",
}
#: Words Typer looks up through gettext at the moment it says them.
GETTEXT_JA: dict[str, str] = {
    "Aborted!": "中止しました。",
    "Missing command.": "コマンドを指定してください。",
    "No such command {name!r}.": "{name!r} というコマンドはありません。",
    "(dynamic)": "（実行時に決定）",
    "default: {default}": "既定値: {default}",
    "env var: {var}": "環境変数: {var}",
    "required": "必須",
    "Arguments": "引数",
    "Options": "オプション",
    "Commands": "コマンド",
}
USAGE_JA = "使い方: "
HELP_OPTION_JA = "このヘルプを表示して終了します。"
COMPLETION_JA: dict[str, str] = {
    "Install completion for the current shell.": "今のシェルに genba のコマンド補完を入れます。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "今のシェル用の補完スクリプトを表示します（手で入れるとき）。",
}
_PATH_KINDS = {"file": "ファイル", "dir": "ディレクトリ", "directory": "ディレクトリ", "path": "パス"}
_BOUNDS = {"greater than or equal to": "以上", "greater than": "より大きい値", "less than or equal to": "以下",
           "less than": "より小さい値"}
_PARAM_KINDS = {"option": "オプション", "argument": "引数", "parameter": "指定"}
#: The usage errors of Typer's command-line parser (its vendored Click writes them as f-strings, so they are
#: matched whole): pattern, and a function of the match giving the Japanese. The first that matches wins; a
#: message none matches stays as it is.
_ERRORS_JA: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Missing (option|argument|parameter)(?: (.+?))?\.(?: (.*))?", re.S),
     lambda m: f"必要な{_PARAM_KINDS[m[1]]}がありません" + (f": {m[2]}" if m[2] else "") + "。"
               + (f" {translate_error(m[3])}" if m[3] else "")),
    (re.compile(r"Missing parameter: (.+)", re.S), lambda m: f"必要な指定がありません: {m[1]}"),
    (re.compile(r"No such option: (\S+)(?: \(Possible options: (.+)\))?", re.S),
     lambda m: f"{m[1]} というオプションはありません。" + (f"（候補: {m[2]}）" if m[2] else "")),
    (re.compile(r"Invalid value for (.+?): (.*)", re.S),
     lambda m: f"{m[1]} の値が正しくありません: {translate_error(m[2])}"),
    (re.compile(r"Invalid value: (.*)", re.S), lambda m: f"値が正しくありません: {translate_error(m[1])}"),
    (re.compile(r"(.+) is not one of (.+)\.", re.S),
     lambda m: f"{m[1]} は使えません。次のどれかにしてください: {m[2]}"),
    (re.compile(r"Choose from:(.*)", re.S), lambda m: f"次から選んでください:{m[1]}"),
    (re.compile(r"Value (.+) is not a valid (\w+)\.", re.S), lambda m: f"{m[1]} は正しい {m[2]} の値ではありません。"),
    # the values Typer checks with pydantic
    (re.compile(r"Input should be a valid integer(?:,.*)?", re.S), lambda m: "整数を指定してください。"),
    (re.compile(r"Input should be a valid number(?:,.*)?", re.S), lambda m: "数値を指定してください。"),
    (re.compile(r"Input should be a valid boolean(?:,.*)?", re.S), lambda m: "true か false を指定してください。"),
    (re.compile(r"Input should be (greater than or equal to|greater than|less than or equal to|less than) (\S+)"),
     lambda m: f"{m[2]} {_BOUNDS[m[1]]}を指定してください。"),
    (re.compile(r"Input should be ('.*')", re.S), lambda m: f"次のどれかを指定してください: {m[1]}"),
    (re.compile(r"(file|dir|directory|path) (.+) does not exist\.", re.S | re.I),
     lambda m: f"{_PATH_KINDS[m[1].lower()]} {m[2]} がありません。"),
    (re.compile(r"(file|dir|directory|path) (.+) is a file\.", re.S | re.I),
     lambda m: f"{_PATH_KINDS[m[1].lower()]} {m[2]} はファイルです。ディレクトリを指定してください。"),
    (re.compile(r"(file|dir|directory|path) (.+) is a directory\.", re.S | re.I),
     lambda m: f"{_PATH_KINDS[m[1].lower()]} {m[2]} はディレクトリです。ファイルを指定してください。"),
    (re.compile(r"(file|dir|directory|path) (.+) is not (readable|writable)\.", re.S | re.I),
     lambda m: f"{_PATH_KINDS[m[1].lower()]} {m[2]} を" + ("読めません" if m[3] == "readable" else "書き込めません")
               + "。権限を確認してください。"),
    (re.compile(r"Got unexpected extra argument\(s\) \((.*)\)", re.S), lambda m: f"余分な引数があります（{m[1]}）。"),
    (re.compile(r"Option (\S+) requires an argument\.", re.S), lambda m: f"オプション {m[1]} には値が必要です。"),
    (re.compile(r"Option (\S+) does not take a value\.", re.S), lambda m: f"オプション {m[1]} は値をとりません。"),
]


def translate_error(message: str) -> str:
    """A usage error of Typer's parser in Japanese (unchanged when it is not one of the known forms)."""
    for pattern, say in _ERRORS_JA:
        match = pattern.fullmatch(message)
        if match:
            return say(match)
    return message


def mend_usage_errors() -> None:
    """Give every usage error its command's usage line and help hint, in either language.

    Typer 0.29's copy of Click raises "Option '--x' requires an argument." (and "... does not take a value.")
    from its option parser without the command's context, which Click's own parser passes; so that one error
    came without the usage line and "Try '... -h' for help.". The parser knows its context: this attaches it to
    any usage error leaving the parser without one. Skipped when a future Typer lacks the hook
    (tests/cli/test_cli_language.py notices: the lock file pins Typer).
    """
    import importlib

    try:
        parser = importlib.import_module("typer._click.parser")
        exceptions = importlib.import_module("typer._click.exceptions")
    except ImportError:
        return
    option_parser = getattr(parser, "_OptionParser", None)
    parse_args = getattr(option_parser, "parse_args", None)
    usage_error = getattr(exceptions, "UsageError", None)
    if option_parser is None or parse_args is None or usage_error is None or getattr(parse_args, "mended", False):
        return

    def parse_args_in_context(self: Any, args: list[str]) -> Any:
        try:
            return parse_args(self, args)
        except usage_error as exc:
            if exc.ctx is None and self.ctx is not None:
                exc.ctx, exc.cmd = self.ctx, self.ctx.command
            raise

    parse_args_in_context.mended = True  # type: ignore[attr-defined]
    option_parser.parse_args = parse_args_in_context


def localize_framework(lang: str = LANG) -> None:
    """Give Typer's own words (usage line, panel titles, ``--help``'s help, usage errors) this process's language.

    Nothing to do in English. Typer 0.29 carries its own copy of Click, which writes its words as plain
    English strings; so this points Typer's gettext ``_`` at :data:`GETTEXT_JA`, replaces the rich help's
    constants, and wraps the places that speak or lay out: the rich help's text (:class:`PhrasedText`), the
    usage line's prefix, the ``--help`` option, the usage errors' ``format_message`` and the shell-completion
    options Typer adds to the root. Each hook is found by name and skipped when a future Typer lacks it (its
    words then stay English, nothing breaks); tests/cli/test_cli_language.py notices (the lock file pins Typer).
    """
    if lang == "en" or getattr(localize_framework, "done", False):
        return
    localize_framework.done = True  # type: ignore[attr-defined]
    import importlib

    def module(name: str) -> Any:
        try:
            return importlib.import_module(name)
        except ImportError:
            return None

    typer_core, typer_main, rich_utils = module("typer.core"), module("typer.main"), module("typer.rich_utils")
    click_core, exceptions, formatting = (module("typer._click.core"), module("typer._click.exceptions"),
                                          module("typer._click.formatting"))

    if hasattr(typer_core, "_"):
        typer_core._ = lambda message: GETTEXT_JA.get(message, message)
    if rich_utils is not None:
        for name in dir(rich_utils):
            value = getattr(rich_utils, name)
            if name.isupper() and isinstance(value, str) and value in RICH_JA:
                setattr(rich_utils, name, RICH_JA[value])
        # Rich wraps at spaces; Japanese has none, so a sentence is one long "word": a table column would cut
        # it off with "…", and elsewhere it jumps whole to the next line. Japanese help wraps between phrases.
        make_rich_text = getattr(rich_utils, "_make_rich_text", None)
        if make_rich_text is not None:
            def phrased_rich_text(*args: Any, **kwargs: Any) -> Any:
                text = make_rich_text(*args, **kwargs)
                return PhrasedText(text) if isinstance(text, Text) and CJK.search(text.plain) else text

            rich_utils._make_rich_text = phrased_rich_text

    write_usage = getattr(getattr(formatting, "HelpFormatter", None), "write_usage", None)
    if write_usage is not None:
        def localized_write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            write_usage(self, prog, args, USAGE_JA if prefix is None else prefix)

        formatting.HelpFormatter.write_usage = localized_write_usage

    get_help_option = getattr(getattr(click_core, "Command", None), "get_help_option", None)
    if get_help_option is not None:
        def localized_help_option(self: Any, ctx: Any) -> Any:
            option = get_help_option(self, ctx)
            if option is not None:
                option.help = HELP_OPTION_JA
            return option

        click_core.Command.get_help_option = localized_help_option

    usage_error = getattr(exceptions, "UsageError", None)
    if usage_error is not None:
        # UsageError's own (inherited by the rest) and each subclass's that overrides it
        for cls in {usage_error, *(v for v in vars(exceptions).values() if isinstance(v, type))}:
            if issubclass(cls, usage_error) and (cls is usage_error or "format_message" in vars(cls)):
                _translate_format_message(cls)

    completion_arguments = getattr(typer_main, "get_install_completion_arguments", None)
    if completion_arguments is not None:
        def localized_completion_arguments() -> Any:
            params = completion_arguments()
            for param in params:
                text = getattr(param, "help", None)
                if isinstance(text, str):
                    param.help = COMPLETION_JA.get(text, text)
            return params

        typer_main.get_install_completion_arguments = localized_completion_arguments


class PhrasedText:
    """A help text that wraps between Japanese phrases (BudouX, as the kiosk's labels do) and at spaces.

    Rich breaks lines only at spaces; Japanese has none, so it would treat a whole sentence as one word. Here
    a line may break after a space or between two phrases; a phrase wider than the whole width is folded.
    Styles (the highlighted option names) are kept: the lines are cut from the original :class:`Text`.
    """

    def __init__(self, text: Text) -> None:
        self.text = text

    @cached_property
    def _chunks(self) -> list[tuple[int, int]]:
        """(start, end) of each piece that must stay on one line, in order, covering the whole text (measured
        and laid out more than once per help page, so split once)."""
        chunks: list[tuple[int, int]] = []
        start = 0
        for line in self.text.plain.split("\n"):
            for phrase in phrases(line):
                for piece in re.findall(r"\S*\s*", phrase):  # a space inside a phrase is a break too
                    if piece:
                        chunks.append((start, start + len(piece)))
                        start += len(piece)
            chunks.append((start, start + 1))  # the newline itself (past the end after the last line)
            start += 1
        return chunks[:-1]

    def _offsets(self, width: int) -> list[int]:
        plain = self.text.plain
        offsets: list[int] = []
        used = 0
        for start, end in self._chunks:
            piece = plain[start:end]
            if piece == "\n":
                offsets.append(end)
                used = 0
                continue
            size = cell_len(piece.rstrip())
            if used and used + size > width:
                offsets.append(start)
                used = 0
            while size > width:  # one phrase wider than the line: fold it
                cut = len(chop_cells(plain[start:end], width)[0])
                offsets.append(start + cut)
                start += cut
                size = cell_len(plain[start:end].rstrip())
            used += cell_len(plain[start:end])
        return offsets

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        longest_piece = max((cell_len(plain[a:b].rstrip()) for a, b in self._chunks), default=0)
        longest_line = max((cell_len(line) for line in plain.split("\n")), default=0)
        return Measurement(min(longest_piece, options.max_width), min(longest_line, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.text.divide(self._offsets(max(1, options.max_width)))
        for line in lines:
            line.rstrip()  # the space or newline a line was broken at
        out = Text("\n").join(lines)
        out.overflow = "fold"
        yield out


def _translate_format_message(cls: type[Any]) -> None:
    """Wrap ``cls.format_message`` (its own or the one it inherits) so the message reads in Japanese."""
    original = cls.format_message

    def format_message(self: Any) -> str:
        message = original(self)
        # NoArgsIsHelpError inherits this and carries the whole help page: that is not an error to translate.
        return message if type(self).__name__ == "NoArgsIsHelpError" else translate_error(message)

    cls.format_message = format_message
