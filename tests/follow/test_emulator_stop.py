"""Emulator.stop_engagement: what the service's StopEngagement does, seen by both clients."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ssm_engagements.emulator import Emulator
from tests.follow.conftest import arn, client_for, emu_now, wire


def test_stopped_engagement_is_listed_with_its_stop_time(client_kind: str, emu: Emulator) -> None:
    start = emu_now(emu) - timedelta(minutes=5)
    emu.add_engagements(wire("a", start), wire("b", start + timedelta(seconds=1)))
    client = client_for(emu, client_kind)
    when = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    emu.stop_engagement(arn("a"), when)
    page = client.list_engagements()
    by_arn = {e.engagement_arn: e for e in page.engagements}
    assert by_arn[arn("a")].stop_time == datetime(2031, 5, 6, 5, 8, 9, 123000, tzinfo=timezone.utc)
    assert by_arn[arn("b")].stop_time is None
    assert [e.engagement_arn for e in page.engagements] == [arn("b"), arn("a")]  # order kept


def test_without_a_stop_time_it_is_the_emulators_now(client_kind: str) -> None:
    with Emulator(clock_offset=-3600.0) as emu:
        emu.add_engagements(wire("a", emu_now(emu) - timedelta(minutes=5)))
        before = emu_now(emu)
        emu.stop_engagement(arn("a"))
        after = emu_now(emu) + timedelta(milliseconds=1)
        (item,) = client_for(emu, client_kind).list_engagements().engagements
        assert item.stop_time is not None and before <= item.stop_time <= after


def test_naive_stop_time_is_utc(emu: Emulator) -> None:
    emu.add_engagements(wire("a", emu_now(emu)))
    emu.stop_engagement(arn("a"), datetime(2030, 1, 1, 12, 0))
    (item,) = emu.client().list_engagements().engagements
    assert item.stop_time == datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def test_unknown_arn_is_a_clear_error(emu: Emulator) -> None:
    emu.add_engagements(wire("a", emu_now(emu)))
    with pytest.raises(KeyError) as raised:
        emu.stop_engagement(arn("nope"))
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == f"the emulator holds no engagement {arn('nope')!r}"
    tomorrow: Any = "tomorrow"
    with pytest.raises(ValueError, match="not an ISO-8601"):
        emu.stop_engagement(arn("a"), tomorrow)
    (item,) = emu.client().list_engagements().engagements
    assert item.stop_time is None
