"""Request and response bodies of the sync API (pydantic). The OpenAPI schema is generated from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable reason (docs/api.md 'Errors').")
    message: str
    message_ja: str
    model_config = ConfigDict(extra="allow")


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(max_length=64, description="One-time enrollment code (case and dashes ignored).")
    device: str = Field(max_length=63)
    epoch: int = Field(ge=1, le=2**31 - 1)
    key: str = Field(max_length=256, description="C2SP verifier key text of the device's new key.")
    app: str = Field(max_length=32, pattern=r"^[0-9A-Za-z.+_-]{1,32}$")


class EnrollResponse(BaseModel):
    device: str
    epoch: int
    site: str
    server_key: str
    server_time: str


class BatchResponse(BaseModel):
    outcome: Literal["append", "duplicate"]
    acked: int
    receipt: str
    server_time: str
    log_checkpoint: str | None = Field(
        default=None, description="The audit log's newest signed checkpoint (docs/protocol.md §9); this batch "
        "enters the log at the next sequencer run, seconds later. Keep it to check the log later.")


class ReceiptResponse(BaseModel):
    receipt: str | None
    acked: int
    server_time: str


class SiteDeviceKey(BaseModel):
    device: str
    epoch: int
    key: str


class ConfigResponse(BaseModel):
    site: str
    name: str
    day_boundary: str
    repeat_window_s: int
    timezone: str
    min_app_version: str | None = Field(default=None, description="Oldest app version devices should run.")
    devices: list[SiteDeviceKey] = Field(default_factory=list, description="The site's enrolled, unrevoked devices "
                                         "and their keys (sibling gates verify each other's journals with them).")
    version: str
    server_time: str


class RosterWorkerBody(BaseModel):
    worker: str
    name: str
    furigana: str
    employer: str
    employer_name: str
    trade: str
    trade_code: str
    position: str
    idms: list[str]
    on_roster: bool = True
    language: str | None = Field(default=None, description="The worker's own language (BCP 47); absent: Japanese.")
    gate: list[str] | None = Field(default=None, description="What the gate warns about (expired, "
                                   "education_missing); absent: nothing.")


class RosterResponse(BaseModel):
    site: str
    version: str
    workers: list[RosterWorkerBody]
    server_time: str


class DeviceCorrection(BaseModel):
    epoch: int
    seq: int = Field(description="The seq of the device's own manual record this correction came from.")
    status: str = Field(description="requested (waiting for the back office), approved or rejected.")
    decided_at: str | None
    note: str | None = Field(description="The back office's reason, when decided.")


class DeviceCorrections(BaseModel):
    corrections: list[DeviceCorrection]
    version: str
    server_time: str


class StatusReport(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    unsent: int = Field(ge=0, le=2**53)
    oldest_unsent_age_s: float | None = Field(default=None, ge=0, le=10 * 365 * 86400)
    last_error: str | None = Field(default=None, max_length=500)
    app: str | None = Field(default=None, pattern=r"^[0-9A-Za-z.+_-]{1,32}$",
                            description="The app version the device runs now (shown in the device list).")
    reader_state: Literal["connected", "error", "disconnected", "waiting", "stopped", "silent",
                          "unreadable"] | None = Field(
        default=None, description="The kiosk's card reader as syncd last read it (shared/kioskstatus.py).")
    reader_code: str | None = Field(default=None, pattern=r"^[a-z0-9_]{1,40}$",
                                    description="The reader's status code (ok, unplugged, read_error…).")
    reader_errors: int | None = Field(default=None, ge=0, le=10**9, description="Reader errors in the last hour.")
    disk_free_bytes: int | None = Field(default=None, ge=0, le=2**62,
                                        description="Free space on the data directory's file system.")


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    site: str = Field(pattern=r"^[0-9]{14}$")
    ttl_minutes: int | None = Field(default=None, ge=1, le=10080, description="Default: the server setting.")


class CodeResponse(BaseModel):
    code: str
    site: str
    expires_at: str


class DeviceRow(BaseModel):
    device: str
    epoch: int
    site: str
    revoked: bool
    enrolled_at: str
    app: str
    acked: int
    last_seen: str | None
    last_seen_age_s: float | None
    unsent: int | None
    oldest_unsent_age_s: float | None
    lag_s: float | None
    clock_offset_s: float | None
    last_error: str | None
    reader_state: str | None = None
    reader_code: str | None = None
    reader_errors: int | None = None
    disk_free_bytes: int | None = None


class DevicesResponse(BaseModel):
    devices: list[DeviceRow]
    server_time: str


class RevokeResponse(BaseModel):
    device: str
    revoked_epochs: list[int]


class Health(BaseModel):
    status: str
    database: str
    server_time: str


class MoveRequest(BaseModel):
    """Assign a device to another site: an explicit, audited act (docs/security.md)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    site: str = Field(max_length=14, description="The new site id (14 digits).")
    by: str = Field(min_length=1, max_length=100, description="Who moves the device (recorded as 'api:<by>').")
    reason: str | None = Field(default=None, min_length=1, max_length=200)
    from_seq: int | None = Field(default=None, ge=1, le=2**53 - 1,
                                 description="First event seq of the new site (default: acknowledged seq + 1).")


class MoveResponse(BaseModel):
    device: str
    epoch: int
    from_seq: int
    site: str
    previous_site: str
    assigned_at: str
    assigned_by: str
