"""What every ``genba`` subcommand shares: the data directory, messages and failure exits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer

from shared.errors import GenbaError
from shared.messages import explain, t
from shared.paths import DataDir


def data_dir(ctx: typer.Context) -> DataDir:
    """The data directory chosen by ``--data-dir`` / ``GENBA_DATA_DIR`` on the root command."""
    root = ctx.find_root()
    given: Path | None = (root.obj or {}).get("data_dir")
    return DataDir.resolve(given)


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line reason on standard error."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn Genba errors into one readable line and exit code 1."""
    try:
        yield
    except GenbaError as exc:
        fail(t("エラー: ", "Error: ") + explain(exc))
