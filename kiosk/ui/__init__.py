"""The kiosk's Qt face. The only package of ours allowed to import PySide6 (import-linter contract).

Widgets take the :class:`kiosk.ui.model.KioskModel` in their constructor and
react to its signals; every decision lives in the Qt-free modules of
``kiosk`` (pipeline, direction, today, manager).
"""
