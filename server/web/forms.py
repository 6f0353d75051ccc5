"""Running a console form through the API's own function, and turning its refusals into field errors.

A form's fields become the API's request body (the same pydantic model, so the same limits), the API's
route function is called with the signed-in user's principal (so the same permission and disclosure checks),
and whatever it refuses comes back as ``{field: words}`` in the viewer's language — with nothing stored, as
the route function runs in one transaction that its refusal rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from server.domain.errors import DomainError
from server.web.i18n import translate
from shared.errors import GenbaError

T = TypeVar("T")

PYDANTIC_KEYS = {
    "missing": "required", "string_too_long": "too_long", "too_long": "too_many", "string_too_short": "required",
    "date_parsing": "bad_date", "date_from_datetime_parsing": "bad_date", "date_type": "bad_date",
    "datetime_parsing": "bad_datetime", "datetime_from_date_parsing": "bad_datetime", "int_parsing": "bad_number",
    "greater_than_equal": "bad_number", "less_than_equal": "bad_number", "literal_error": "bad_choice",
    "string_pattern_mismatch": "bad_format", "value_error": "bad_value", "extra_forbidden": "bad_value",
}


@dataclass
class Outcome:
    errors: dict[str, str] = field(default_factory=dict)
    """field → words (already in the viewer's language)."""
    alert: str | None = None
    value: Any = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.alert is None


def run(lang: str, fn: Callable[[], T], fields: tuple[str, ...] = ()) -> Outcome:
    """Call ``fn`` (building the body and calling the API function); refusals become an :class:`Outcome`."""
    try:
        return Outcome(value=fn())
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            name = str(e["loc"][0]) if e.get("loc") else ""
            key = PYDANTIC_KEYS.get(str(e.get("type")), "bad_value")
            errors.setdefault(name if name in fields else "_", translate(key, lang))
        alert = errors.pop("_", None)
        return Outcome(errors=errors, alert=alert if not errors else None)
    except DomainError as exc:
        words = exc.message_ja if lang == "ja" else exc.message
        # the field the error names (``field=…``), else the field whose value it carries (``company=…``)
        name = str(exc.extra.get("field", "")) or next((k for k in exc.extra if k in fields), "")
        if name in fields:
            return Outcome(errors={name: words})
        return Outcome(alert=words)
    except GenbaError as exc:
        ja = getattr(exc, "message_ja", None)
        return Outcome(alert=ja if lang == "ja" and isinstance(ja, str) else exc.message)


def text(form: Any, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def optional(form: Any, name: str, limit: int = 2000) -> str | None:
    return text(form, name, limit) or None
