"""Spreadsheet formula neutralisation for every cell Genba writes into CSV (and spreadsheet) exports.

A spreadsheet program opens a CSV cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some programs, a tab, a carriage return or ``|``) as a formula,
so free text typed by a subcontractor (work content, a reason, a name) could
run a formula on the back office's machine ("CSV injection"). Programs also
skip leading blanks before deciding, so ``" =1+1"`` or ``"\\t=cmd"`` is a formula
too, and Japanese input gives full-width ``＝ ＋ － ＠``, which some programs
convert. :func:`neutralise_formula` is the ONE place this is decided: every
writer of CSV or spreadsheet text calls it for each text cell.

This module must never change a value that is not a possible formula.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = frozenset("=+-@|＝＋－＠｜")
"""First visible characters that make a spreadsheet read a cell as a formula (ASCII and full-width)."""
_CONTROL_STARTS = ("\t", "\r", "\n")


def neutralise_formula(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet could read it as a formula, else unchanged.

    A cell is a possible formula when its first character is a tab, carriage return or line feed,
    or when its first character after any leading whitespace (spaces, tabs, the ideographic space
    U+3000, no-break spaces …) is one of :data:`FORMULA_TRIGGERS`.
    """
    if not value:
        return value
    if value.startswith(_CONTROL_STARTS) or value.lstrip()[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """A CSV cell: text neutralised by :func:`neutralise_formula`; numbers, booleans and None as they are."""
    return neutralise_formula(value) if isinstance(value, str) else value
