"""The emulator's engagements: input parsing, filtering, ordering and NextToken handling."""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import json
import os
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

import attrs

__all__ = [
    "BadToken",
    "UnknownEngagement",
    "Filters",
    "Store",
    "StoredEngagement",
    "parse_engagement",
    "to_epoch_ms",
]

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_WIRE_KEYS = ("EngagementArn", "ContactArn", "Sender", "IncidentId", "StartTime", "StopTime")
_TOKEN_VERSION = 1
_TOKEN_LEN = 1 + 4 + 8 + 16  # version, offset, filter fingerprint, truncated HMAC


def _epoch_ms_from_iso(text: str) -> int:
    match = _ISO_RE.match(text.strip())
    if match is None:
        raise ValueError(f"not an ISO-8601 timestamp or epoch number: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    seconds = calendar.timegm(
        (int(year), int(month), int(day), int(hour), int(minute), int(second or 0), 0, 0, 0)
    )
    millis = int((fraction or "0")[:3].ljust(3, "0"))
    if offset and offset.upper() != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return seconds * 1000 + millis


def to_epoch_ms(value: object, what: str) -> int | None:
    """Convert an input timestamp to integer epoch milliseconds (sub-ms truncated).

    Accepts None, epoch seconds (int, float or numeric string), an ISO-8601 string
    (no offset means UTC) or a datetime (naive means UTC). Raises ValueError naming
    ``what`` for anything else.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        delta = aware - datetime(1970, 1, 1, tzinfo=timezone.utc)
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        # repr() keeps a float's shortest decimal form, so 1.153 stays 1153 ms.
        text = repr(value) if isinstance(value, float) else str(value)
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return int((number * 1000).to_integral_value(rounding=ROUND_FLOOR))
        if isinstance(value, str):
            try:
                return _epoch_ms_from_iso(value)
            except ValueError as exc:
                raise ValueError(f"{what}: {exc}") from None
    raise ValueError(
        f"{what}: expected an ISO-8601 string, epoch seconds or datetime; got {value!r}"
    )


@attrs.frozen(kw_only=True)
class StoredEngagement:
    """One engagement as the emulator holds it; times are epoch milliseconds (UTC)."""

    engagement_arn: str
    contact_arn: str
    sender: str
    incident_id: str | None = None
    start_ms: int | None = None
    stop_ms: int | None = None

    def to_wire(self) -> dict[str, Any]:
        """The engagement as the service's JSON: PascalCase, epoch seconds with ms precision."""
        out: dict[str, Any] = {
            "EngagementArn": self.engagement_arn,
            "ContactArn": self.contact_arn,
            "Sender": self.sender,
        }
        if self.incident_id is not None:
            out["IncidentId"] = self.incident_id
        for key, millis in (("StartTime", self.start_ms), ("StopTime", self.stop_ms)):
            if millis is not None:
                out[key] = millis // 1000 if millis % 1000 == 0 else millis / 1000
        return out


def _required_str(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"engagement {key} must be a string; got {value!r}")
    return value


def parse_engagement(item: object) -> StoredEngagement:
    """Build a StoredEngagement from a wire-shaped dict or an ``Engagement`` model.

    Dicts use the API's PascalCase keys; unknown keys, a missing/non-string
    EngagementArn, ContactArn or Sender, or a bad timestamp raise ValueError.
    Other objects are read through the model's attribute names (duck-typed, so
    this module needs no import of the SDK); anything else raises TypeError.
    """
    if isinstance(item, Mapping):
        data: Mapping[str, object] = item
        unknown = sorted(str(k) for k in data if k not in _WIRE_KEYS)
        if unknown:
            raise ValueError(f"unknown engagement keys {unknown}; expected some of {_WIRE_KEYS}")
        incident = data.get("IncidentId")
        if incident is not None and not isinstance(incident, str):
            raise ValueError(f"engagement IncidentId must be a string; got {incident!r}")
        return StoredEngagement(
            engagement_arn=_required_str(data, "EngagementArn"),
            contact_arn=_required_str(data, "ContactArn"),
            sender=_required_str(data, "Sender"),
            incident_id=incident,
            start_ms=to_epoch_ms(data.get("StartTime"), "StartTime"),
            stop_ms=to_epoch_ms(data.get("StopTime"), "StopTime"),
        )
    if all(hasattr(item, a) for a in ("engagement_arn", "contact_arn", "sender")):
        model: Any = item
        return parse_engagement(
            {
                "EngagementArn": model.engagement_arn,
                "ContactArn": model.contact_arn,
                "Sender": model.sender,
                "IncidentId": getattr(model, "incident_id", None),
                "StartTime": getattr(model, "start_time", None),
                "StopTime": getattr(model, "stop_time", None),
            }
        )
    raise TypeError(f"expected a dict or an Engagement, got {type(item).__name__}")


class UnknownEngagement(KeyError, ValueError):
    """No engagement has the ARN asked for (a KeyError and a ValueError)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown engagement"


class BadToken(Exception):
    """A NextToken that was not issued by this emulator for this request's filters."""


@attrs.frozen(kw_only=True)
class Filters:
    """What a ListEngagements request selects; bounds are epoch seconds, inclusive."""

    incident_id: str | None = None
    start: Decimal | None = None
    end: Decimal | None = None

    def fingerprint(self) -> bytes:
        # normalize() makes equal numbers (1.50 and 1.5) share a fingerprint.
        bounds = [None if b is None else str(b.normalize()) for b in (self.start, self.end)]
        text = json.dumps([self.incident_id, *bounds])
        return hashlib.sha256(text.encode()).digest()[:8]

    def matches(self, item: StoredEngagement) -> bool:
        if self.incident_id is not None and item.incident_id != self.incident_id:
            return False
        if self.start is None and self.end is None:
            return True
        if item.start_ms is None:
            return False
        millis = Decimal(item.start_ms)
        if self.start is not None and millis < self.start * 1000:
            return False
        return not (self.end is not None and millis > self.end * 1000)


class Store:
    """A thread-safe list of engagements served newest first (by StartTime).

    Ties keep the most recently added first; engagements without a StartTime
    come last. Pagination is by offset into that order, signed into NextToken.
    """

    def __init__(self, key: bytes | None = None) -> None:
        self._lock = threading.Lock()
        self._items: list[tuple[int, StoredEngagement]] = []
        self._seq = 0
        # By default a per-instance key: tokens from another emulator are rejected, as
        # they would be. A fixed key lets tokens outlive the process (the CLI's --demo).
        self._key = os.urandom(32) if key is None else key

    def add(self, items: list[StoredEngagement]) -> None:
        with self._lock:
            for item in items:
                self._seq += 1
                self._items.append((self._seq, item))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def stop(self, engagement_arn: str, stop_ms: int) -> None:
        """Set the stop time of every engagement with this ARN, keeping its place.
        Raises UnknownEngagement when there is none."""
        with self._lock:
            found = False
            for index, (seq, item) in enumerate(self._items):
                if item.engagement_arn == engagement_arn:
                    self._items[index] = (seq, attrs.evolve(item, stop_ms=stop_ms))
                    found = True
        if not found:
            raise UnknownEngagement(f"the emulator holds no engagement {engagement_arn!r}")

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def page(
        self, filters: Filters, *, limit: int, token: str | None
    ) -> tuple[list[StoredEngagement], str | None]:
        """One page: up to ``limit`` matches after the token's offset, and the next token.

        The token is None on the last page. Raises BadToken for a token that was
        tampered with, not issued here, or issued for other filters.
        """
        offset = 0 if token is None else self._decode(token, filters)
        with self._lock:
            matches = [(seq, it) for seq, it in self._items if filters.matches(it)]
        none_last = float("-inf")
        matches.sort(
            key=lambda pair: (none_last if pair[1].start_ms is None else pair[1].start_ms, pair[0]),
            reverse=True,
        )
        chunk = [it for _, it in matches[offset : offset + limit]]
        end = offset + limit
        return chunk, (self._encode(end, filters) if end < len(matches) else None)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]

    def _encode(self, offset: int, filters: Filters) -> str:
        payload = bytes([_TOKEN_VERSION]) + offset.to_bytes(4, "big") + filters.fingerprint()
        return base64.urlsafe_b64encode(payload + self._mac(payload)).decode("ascii")

    def _decode(self, token: str, filters: Filters) -> int:
        try:
            raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise BadToken("The pagination token is not valid.") from None
        payload, mac = raw[:-16], raw[-16:]
        if len(raw) != _TOKEN_LEN or raw[0] != _TOKEN_VERSION:
            raise BadToken("The pagination token is not valid.")
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise BadToken("The pagination token is not valid.")
        if payload[5:] != filters.fingerprint():
            raise BadToken("The pagination token was issued for a request with other filters.")
        return int.from_bytes(payload[1:5], "big")
