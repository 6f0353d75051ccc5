"""The Qt side of the tablet view: running its requests on the kiosk's thread, and the pairing tab.

:class:`QtRunner` carries a closure from a web thread to the Qt event loop
through a queued signal and waits for its result, so manager actions from the
tablet go through the same :class:`~kiosk.core.KioskCore` on the same thread
as the touch screen's (the journal connection belongs to that thread).

:class:`TabletTab` is manager mode's "タブレット" tab: a QR code and the short
code a tablet types, the address, and the paired tablets with a button to
revoke each. Its words come from :func:`shared.messages.t` in the screen's
language (Japanese, or English for one tap).
"""

from __future__ import annotations

import concurrent.futures
import io
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import segno
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.model import KioskModel
from kiosk.ui.theme import MIN_TOUCH_PX, named
from kiosk.web import KioskActions, PairingCode, TabletOptions, TabletServer, start_tablet
from kiosk.web.actions import run_job, wait
from shared.messages import t
from shared.paths import DataDir
from shared.timefmt import local_when

T = TypeVar("T")
ROLE = Qt.ItemDataRole.UserRole


class QtRunner(QObject):
    """A :class:`kiosk.web.Runner` that runs closures on the thread this object lives in (the GUI thread)."""

    _job = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = threading.current_thread()
        self._job.connect(run_job)

    def __call__(self, fn: Callable[[], T]) -> T:
        if threading.current_thread() is self._thread:
            return fn()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._job.emit(fn, future)
        return wait(future)  # type: ignore[no-any-return]


def start_qt_tablet(model: KioskModel, options: TabletOptions) -> TabletServer | None:
    """Serve the tablet view for this model's kiosk (None when off or the port is taken)."""
    core = model.core
    if core.root is None:
        return None
    runner = QtRunner(model)

    def changed() -> None:
        model.today_changed.emit()
        model.idle_changed.emit()

    server = start_tablet(DataDir.resolve(core.root), core.clock, runner, KioskActions(core, changed), options)
    model.tablet_server = server  # type: ignore[attr-defined]
    return server


def qr_pixmap(text: str, size: int) -> QPixmap:
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buf.getvalue(), "PNG")
    return pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


class TabletTab(QWidget):
    """Pair a tablet: QR code + short code; list and revoke paired tablets."""

    def __init__(self, model: KioskModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.code: PairingCode | None = None
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label = named(QLabel(), "headline")
        self.info = named(QLabel(), "note")
        self.info.setWordWrap(True)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_code)
        self.sessions = QListWidget()
        self.sessions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.revoke_button = named(QPushButton(), "danger")
        self.revoke_button.clicked.connect(self.revoke)
        self.sessions.setMinimumHeight(MIN_TOUCH_PX)  # scrolls; lets the tab fit a 480-px-high screen
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.revoke_button)
        right = QVBoxLayout()
        right.addWidget(self.code_label)
        right.addWidget(self.info)
        right.addWidget(self.sessions, 1)
        right.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.qr)
        row.addLayout(right, 1)
        self._expiry = QTimer(self, singleShot=True)
        self._expiry.timeout.connect(self.refresh)

    def title(self) -> str:
        return t("タブレット", "Tablet", self.model.lang)

    def server(self) -> TabletServer | None:
        return getattr(self.model, "tablet_server", None)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.code is None or self.code.expires <= self.model.core.clock.wall():
            self.new_code()
        else:
            self.refresh()

    def new_code(self) -> None:
        server = self.server()
        self.code = server.app.access.new_code() if server is not None else None
        self.refresh()

    def revoke(self) -> None:
        server = self.server()
        item = self.sessions.currentItem()
        if server is not None and item is not None:
            server.app.access.revoke(str(item.data(ROLE)))
        self.refresh()

    def refresh(self) -> None:
        lang = self.model.lang
        self.new_button.setText(t("新しいコード", "New code", lang))
        self.revoke_button.setText(t("接続を取り消す", "Revoke", lang))
        server = self.server()
        self.sessions.clear()
        if server is None:
            self.qr.clear()
            self.code_label.setText("")
            self.info.setText(t("タブレット画面はオフです（genba kiosk --no-tablet）。",
                                "The tablet view is off (genba kiosk --no-tablet).", lang))
            return
        now = self.model.core.clock.wall()
        url = server.urls()[0]
        if self.code is not None and self.code.expires > now:
            self.qr.setPixmap(qr_pixmap(f"{url}pair?code={self.code.code.replace('-', '')}",
                                        max(160, min(self.height() - 20, 360))))
            self.code_label.setText(self.code.code)
            left_min = max(1, -int(-(self.code.expires - now).total_seconds() // 60))
            self.info.setText(t(f"QR を読むか {url}pair でコードを入力（あと{left_min}分・1回限り）",
                                f"Scan the QR, or type the code at {url}pair ({left_min} min, once)", lang))
            self._expiry.start(int((self.code.expires - now).total_seconds() * 1000) + 500)
        else:
            self.qr.clear()
            self.code_label.setText("—")
            self.info.setText(t("コードの期限が切れました。", "The code expired.", lang))
        for s in server.app.access.sessions():
            # paired at: stored with this machine's offset, shown in the site's zone as on the tablet's gates page
            item = QListWidgetItem(f"{s.label} · {local_when(s.created, self.model.core.today.tz)}")
            item.setData(ROLE, s.id)
            self.sessions.addItem(item)
