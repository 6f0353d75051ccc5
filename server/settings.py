"""The one settings object of the sync server (pydantic-settings).

Sources, strongest first: keyword arguments (tests, the CLI's options),
environment variables ``GENBA_*``, the TOML file ``server.toml`` in the data
directory, then the defaults below. Every setting is documented in
docs/server.md ("Settings"); a test fails when one is missing there.

The settings refuse a weak admin token unless ``dev`` is on: a server
reachable from a site network with the token "changeme" is an open door.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from server.errors import SettingsError
from shared.batch import MAX_BATCH_BYTES
from shared.paths import DataDir, default_data_dir

TOML_NAME = "server.toml"
TOKEN_FILE_NAME = "admin-token"
MIN_TOKEN_CHARS = 24
WEAK_TOKENS = {"changeme", "change-me", "admin", "secret", "password", "token", "genba", "default", "dev"}


class Settings(BaseSettings):
    """Sync server settings. Field docs are the reference for docs/server.md."""

    model_config = SettingsConfigDict(env_prefix="GENBA_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Data directory (keys, SQLite file).")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/server.db. postgresql+psycopg://…"
    )
    admin_token: SecretStr | None = Field(default=None, description="Bearer token for /api/v1/admin/*.")
    dev: bool = Field(default=False, description="Development mode: allows a missing or weak admin token.")
    host: str = Field(default="127.0.0.1", description="Address `genba server run` listens on.")
    port: int = Field(default=8470, ge=1, le=65535, description="Port `genba server run` listens on.")
    max_batch_bytes: int = Field(default=MAX_BATCH_BYTES, ge=1024, le=MAX_BATCH_BYTES,
                                 description="Largest accepted batch body (bytes).")
    max_json_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest accepted JSON request body.")
    enrollment_ttl_minutes: int = Field(default=60, ge=1, le=10080, description="Default enrollment code lifetime.")
    request_skew_s: int = Field(default=600, ge=10, le=3600,
                                description="Allowed |device ts − server time| for signed device requests.")
    server_key_name: str = Field(default="genba-server", description="Name of the server signing key.")
    reconcile_in_process: bool = Field(
        default=True, description="Run the reconciling worker inside `genba server run` (false when separate "
        "`genba server worker` processes do it).")
    min_app_version: str | None = Field(
        default=None, pattern=r"^[0-9A-Za-z.+_-]{1,32}$",
        description="Oldest app version devices should run (e.g. 0.2.0); older kiosks say so on screen.")
    server_key_path: Path | None = Field(
        default=None, description="A server key file outside the data directory (must exist; 0600).")
    server_signer: str | None = Field(
        default=None, description="'package.module:factory' returning a shared.note.Signer (HSM/KMS seam).")
    audit_interval_s: float = Field(default=2.0, ge=0, le=3600,
                                    description="Seconds between audit-log sequencer runs in `genba server run` "
                                    "(0: off; then run `genba server audit sequence` yourself).")
    log_json: bool = Field(default=True, description="Structured JSON logs (else plain text).")
    log_level: str = Field(default="INFO", description="Logging level.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml:
            sources.append(TomlConfigSettingsSource(settings_cls))
        return tuple(sources)

    @property
    def data(self) -> DataDir:
        return DataDir.resolve(self.data_dir)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data.server_db}"

    @property
    def token_file(self) -> Path:
        return self.data.root / TOKEN_FILE_NAME

    def resolved_admin_token(self) -> str | None:
        """The configured token, else the one stored in the data directory's ``admin-token`` file."""
        if self.admin_token is not None:
            return self.admin_token.get_secret_value()
        try:
            return self.token_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def check_admin_token(self) -> str | None:
        """Refuse a missing, default or short token unless ``dev``; return the token."""
        token = self.resolved_admin_token()
        if self.dev:
            return token
        if token is None:
            raise SettingsError(
                "no admin token: set GENBA_ADMIN_TOKEN, admin_token in server.toml, or run "
                "'genba server run' once to generate one (or use --dev for development)"
            )
        if len(token) < MIN_TOKEN_CHARS or token.lower() in WEAK_TOKENS:
            raise SettingsError(f"the admin token is too weak: use at least {MIN_TOKEN_CHARS} random characters")
        return token


def load_settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a data directory: keyword overrides > GENBA_* environment > server.toml > defaults."""
    root = DataDir.resolve(data_dir or _env_data_dir())
    toml = root.root / TOML_NAME

    class _FromFiles(Settings):
        model_config = SettingsConfigDict(env_prefix="GENBA_", extra="ignore",
                                          toml_file=toml if toml.is_file() else None)

    try:
        loaded = _FromFiles(data_dir=root.root, **overrides)
    except Exception as exc:  # pydantic ValidationError, TOML decode error
        raise SettingsError(f"invalid server settings ({toml}): {exc}") from exc
    return loaded


def _env_data_dir() -> Path | None:
    env = os.environ.get("GENBA_DATA_DIR")
    return Path(env) if env else None


def ensure_admin_token(settings: Settings) -> tuple[str, bool]:
    """Return the admin token, generating and storing one (0600) in the data directory if none is set.

    Returns (token, created). Used by ``genba server run`` on first start.
    """
    token = settings.resolved_admin_token()
    if token is not None:
        return token, False
    settings.data.ensure()
    token = secrets.token_urlsafe(32)
    fd = os.open(settings.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    return token, True
