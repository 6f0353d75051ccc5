"""Render every report of the demo site's month into docs/reports/ as PNG (the pictures of docs/reports.md).

    uv run python tools/render_report_images.py [--out docs/reports] [--month 2026-10]

Seeds the demo site (``genba server seed-demo``) in a throwaway data directory,
renders each report as PDF (WeasyPrint) and the spreadsheet ones as XLSX,
converts XLSX to PDF with LibreOffice headless (``soffice``, Debian package
libreoffice-calc-nogui) and every PDF's first page to PNG with ``pdftoppm``
(poppler-utils). Needs both tools; fails if either is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from genba.cli.server_domain_demo import seed_demo
from server.api.routes.registry_common import ADMIN
from server.context import open_context
from server.reports import KINDS, render
from server.settings import load_settings

XLSX_KINDS = ("calendar", "attendance", "roster")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "reports")
    ap.add_argument("--month", default="2026-10")
    ap.add_argument("--dpi", type=int, default=70)
    args = ap.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed (apt-get install libreoffice-calc-nogui poppler-utils)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ctx = open_context(load_settings(root / "data"), check_token=False)
        seeded = seed_demo(ctx, root / "kiosks", args.month)
        y, m = int(args.month[:4]), int(args.month[5:])
        now = datetime(y + (m == 12), m % 12 + 1, 3, 0, 0, tzinfo=UTC)
        pdfs = []
        with ctx.engine.connect() as conn:
            for kind in KINDS:
                day = datetime(y, m, 20).date() if kind == "daily" else None
                out = render(conn, kind, seeded.site, args.month, "pdf", ADMIN, now=now, day=day)
                pdfs.append((root / f"{kind}-pdf.pdf", out.content))
                if kind in XLSX_KINDS:
                    x = render(conn, kind, seeded.site, args.month, "xlsx", ADMIN, now=now)
                    (root / f"{kind}-xlsx.xlsx").write_bytes(x.content)
        ctx.close()
        for path, content in pdfs:
            path.write_bytes(content)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(root),
                        *[str(root / f"{k}-xlsx.xlsx") for k in XLSX_KINDS]], check=True, capture_output=True)
        for pdf in sorted(root.glob("*.pdf")):
            page = "2" if pdf.stem.startswith("attendance") else "1"  # page 1 of 出面表 is the summary
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", page, "-l", page, "-singlefile",
                            str(pdf), str(args.out / pdf.stem)], check=True)
            print(args.out / f"{pdf.stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
