"""The request replay guard lives in the database: two server processes never both accept one nonce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.store.engine import make_engine
from server.store.nonces import DatabaseReplayGuard
from shared.keys import SigningKey
from shared.request_auth import Replayed, parse_header, sign_request

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def auth(nonce: str, device: str = "kiosk-test01") -> object:
    key = SigningKey.generate(f"{device}.e1")
    return parse_header(sign_request(key, device=device, epoch=1, method="GET", path_with_query="/api/v1/x",
                                     body=b"", now=NOW, nonce=nonce))


def test_a_nonce_accepted_by_one_process_is_refused_by_another(server_database_url: str) -> None:
    one, two = make_engine(server_database_url), make_engine(server_database_url)  # two processes' engines
    try:
        first, second = DatabaseReplayGuard(one), DatabaseReplayGuard(two)
        first.check_and_remember(auth("a" * 32), NOW)  # type: ignore[arg-type]
        with pytest.raises(Replayed):
            second.check_and_remember(auth("a" * 32), NOW + timedelta(seconds=1))  # type: ignore[arg-type]
        second.check_and_remember(auth("b" * 32), NOW)  # type: ignore[arg-type]
        second.check_and_remember(auth("a" * 32, device="kiosk-test02"), NOW)  # type: ignore[arg-type]
        assert len(first) == 3
    finally:
        one.dispose()
        two.dispose()
