"""Reports, KPIs and labour rules (issue 12): 作業員名簿, 施工体系図, 施工体制台帳, 月別カレンダー, 出面表, KPI,
週休2日・時間外, daily lists — as CSV (UTF-8 BOM / CP932), XLSX and PDF.

The public surface is :func:`render` (bytes, media type, file name) and the fixed sets of kinds and formats.
"""

from server.reports.service import FORMATS, KINDS, Rendered, build, render

__all__ = ["FORMATS", "KINDS", "Rendered", "build", "render"]
