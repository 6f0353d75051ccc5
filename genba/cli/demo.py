"""``genba demo``: the end-to-end demonstration on the embedded default (SQLite)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from genba.cli.common import reported
from genba.cli.server_domain import show_demo_site
from shared.device import load_or_create_identity
from shared.journal import EventDraft, JournalWriter, verify_journal
from shared.messages import t
from shared.paths import DataDir


def demo(
    workdir: Annotated[Path | None, typer.Option(help="Keep the demo data here, not in a temp folder.")] = None,
    taps: Annotated[int, typer.Option(min=1, max=100_000, help="Simulated taps to record.")] = 50,
) -> None:
    """Run the end-to-end demo: device key, simulated taps into the journal, full verification."""
    import random

    from genba.cli.journal import DEMO_SITE, simulated_idm

    root = workdir or Path(tempfile.mkdtemp(prefix="genba-demo-"))
    data = DataDir.resolve(root).ensure()
    with reported():
        step = 1
        typer.echo(t(f"[{step}] データフォルダ: {data.root}", f"[{step}] Data directory: {data.root}"))
        identity, key = load_or_create_identity(data, site=DEMO_SITE)
        step += 1
        typer.echo(t(f"[{step}] 端末 {identity.device}（鍵 {key.verifier.encode()[:40]}…）",
                     f"[{step}] Device {identity.device} (key {key.verifier.encode()[:40]}…)"))
        rng = random.Random(7)
        pool = [simulated_idm(rng) for _ in range(12)]
        inside: set[str] = set()
        writer = JournalWriter.open(data.journal, identity, key)
        try:
            with typer.progressbar(range(taps), label=t("タッチを記録中", "Recording taps")) as bar:
                for _ in bar:
                    idm = rng.choice(pool)
                    writer.append(EventDraft(kind="tap", reader="sim", site=identity.site or DEMO_SITE,
                                             idm=idm, direction="out" if idm in inside else "in"))
                    inside.symmetric_difference_update({idm})
        finally:
            writer.close()
        step += 1
        report = verify_journal(data.journal)
        typer.echo(t(f"[{step}] 検証: {report.events} 件、ハッシュ連鎖と署名はすべて正常です。",
                     f"[{step}] Verified: {report.events} events, every hash link and signature is good."))
        step = show_demo_site(data.root, step + 1)  # issue 6: the demo site's structure and month of history
    typer.echo(t(f"完了。記録を見る: genba --data-dir {data.root} journal tail",
                 f"Done. See the records: genba --data-dir {data.root} journal tail"))
