"""The checkpoint: restarts, crashes, refusals and atomic writes, with both clients."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator
from tests.follow.conftest import (
    SAFETY_NET_SECONDS,
    Idle,
    after,
    arn,
    client_for,
    emu_now,
    guarded,
    wire,
)

REPO = Path(__file__).resolve().parents[2]


def names(events: list[se.EngagementEvent]) -> list[str]:
    return [f"{e.kind}:{e.engagement.engagement_arn.rsplit('/', 1)[1]}" for e in events]


def follow(client: Any, path: Path, **kwargs: Any) -> Any:
    feed = client.follow_engagements(poll_interval=0.01, checkpoint=path, **kwargs)
    guarded(feed)
    return feed


def stored(path: Path) -> list[str]:
    """The ARN names the checkpoint remembers."""
    data = json.loads(path.read_text())
    return [row[0].rsplit("/", 1)[1] for row in data["engagements"]]


@pytest.fixture
def three(emu: Emulator) -> Any:
    since = emu_now(emu)
    emu.add_engagements(*(wire(n, after(since, i)) for i, n in enumerate("abc")))
    return since


def test_restart_continues_after_the_last_event_taken(
    client_kind: str, emu: Emulator, tmp_path: Path, three: Any
) -> None:
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    with follow(client, path, since=three) as feed:
        assert feed.checkpoint == str(path)
        assert names([next(feed), next(feed)]) == ["started:a", "started:b"]
    assert stored(path) == ["a", "b"]  # leaving the block delivered "b"
    emu.stop_engagement(arn("a"))
    # `since` is ignored now that the checkpoint exists.
    with follow(client, path, since=after(three, 3600)) as feed:
        assert names([next(feed), next(feed)]) == ["stopped:a", "started:c"]
    assert stored(path) == ["a", "b", "c"]


def test_written_each_time_the_caller_comes_back(
    client_kind: str, emu: Emulator, tmp_path: Path, three: Any
) -> None:
    path = Path(tmp_path / "feed.json")
    client = client_for(emu, client_kind)
    feed = follow(client, os.fspath(path), since=three)
    assert not path.exists()  # nothing happens before the first next()
    next(feed)
    assert stored(path) == []  # "a" is in the caller's hands
    next(feed)
    assert stored(path) == ["a"]
    next(feed)
    assert stored(path) == ["a", "b"]
    feed.close()
    assert stored(path) == ["a", "b", "c"]
    feed.close()  # idempotent


def test_an_error_leaving_the_block_keeps_the_event_in_hand(
    client_kind: str, emu: Emulator, tmp_path: Path, three: Any
) -> None:
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    with pytest.raises(RuntimeError), follow(client, path, since=three) as feed:
        next(feed)
        next(feed)
        raise RuntimeError("the chat service is down")
    with follow(client, path) as feed:
        assert names([next(feed)]) == ["started:b"]  # delivered again, once


def test_a_collected_feed_releases_the_lock_and_its_event(
    client_kind: str, emu: Emulator, tmp_path: Path, three: Any
) -> None:
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    feed = follow(client, path, since=three)
    next(feed)
    with pytest.raises(se.ConfigurationError, match="in use by another live feed"):
        client.follow_engagements(checkpoint=path)
    del feed
    gc.collect()
    with follow(client, path) as again:
        assert names([next(again)]) == ["started:a"]


def test_a_second_live_feed_on_the_file_is_refused(
    client_kind: str, emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    first = client.follow_engagements(checkpoint=path)
    with pytest.raises(se.ConfigurationError) as raised:
        client.follow_engagements(checkpoint=str(path))
    assert str(path) in str(raised.value)
    first.close()
    client.follow_engagements(checkpoint=path).close()


def test_a_checkpoint_of_another_incident_is_refused(
    client_kind: str, emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    incident = "arn:aws:ssm-incidents::111122223333:incident-record/db/1"
    feed = follow(client, path, incident_id=incident)
    guarded(feed).arm(1)
    with pytest.raises(Idle):
        next(feed)  # writes the checkpoint, then polls once
    assert json.loads(path.read_text())["incident_id"] == incident
    for other in (None, "arn:aws:ssm-incidents::111122223333:incident-record/db/2"):
        with pytest.raises(se.ConfigurationError) as raised:
            client.follow_engagements(incident_id=other, checkpoint=path)
        assert str(path) in str(raised.value) and "incident_id" in str(raised.value)
    client.follow_engagements(incident_id=incident, checkpoint=path).close()


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\xff\xfe\x00", b"[]", b'{"kind": "something else"}', b"null"],
)
def test_a_corrupt_checkpoint_is_refused(
    client_kind: str, emu: Emulator, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(content)
    client = client_for(emu, client_kind)
    with pytest.raises(se.ConfigurationError) as raised:
        client.follow_engagements(checkpoint=path)
    assert str(path) in str(raised.value)
    assert path.read_bytes() == content  # left for a human to look at
    path.unlink()
    client.follow_engagements(checkpoint=path).close()  # and the lock was released


def test_a_checkpoint_in_a_missing_directory_is_refused(
    client_kind: str, emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "missing-dir" / "feed.json"
    client = client_for(emu, client_kind)
    with pytest.raises(se.ConfigurationError) as raised:
        client.follow_engagements(checkpoint=path)
    assert str(path) in str(raised.value)


def test_writes_are_atomic_renames_never_a_partial_file(
    client_kind: str, emu: Emulator, tmp_path: Path
) -> None:
    since = emu_now(emu)
    emu.add_engagements(*(wire(f"e{n:03d}", after(since, n / 1000)) for n in range(200)))
    path = tmp_path / "feed.json"
    client = client_for(emu, client_kind)
    feed = follow(client, path, since=since)
    next(feed)
    done = threading.Event()
    reads: list[int] = []
    bad: list[bytes] = []

    def reader() -> None:
        while not done.is_set():
            with open(path, "rb") as handle:
                raw = handle.read()
            try:
                data = json.loads(raw)
                reads.append(len(data["engagements"]))
            except ValueError:
                bad.append(raw)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        for _ in range(190):
            next(feed)
        for _ in range(9):
            # The file as it was before a write stays whole and unchanged (a rewrite in
            # place would change what this handle reads), and the name now points at a
            # new file (the open handle keeps the old inode from being reused).
            with open(path, "rb") as old:
                before = old.read()
                next(feed)
                old.seek(0)
                assert old.read() == before
                assert os.stat(path).st_ino != os.fstat(old.fileno()).st_ino
    finally:
        done.set()
        thread.join(SAFETY_NET_SECONDS)
    feed.close()
    assert bad == []
    assert reads == sorted(reads)  # never an older file after a newer one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.json", "feed.json.lock"]
    assert len(stored(path)) == 200


def test_a_killed_process_redelivers_only_the_event_in_hand(
    client_kind: str, emu: Emulator, tmp_path: Path
) -> None:
    since = emu_now(emu)
    emu.add_engagements(*(wire(f"e{n}", after(since, n)) for n in range(6)))
    path = tmp_path / "feed.json"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.follow._child",
            emu.url,
            str(path),
            str(since.timestamp()),
            "4",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        seen = [child.stdout.readline().split()[1].rsplit("/", 1)[1] for _ in range(4)]
        assert seen == ["e0", "e1", "e2", "e3"]
        client = client_for(emu, client_kind)
        with pytest.raises(se.ConfigurationError, match="in use"):
            client.follow_engagements(checkpoint=path)  # the live child holds it
    finally:
        child.kill()
        child.wait(SAFETY_NET_SECONDS)
    with follow(client, path) as feed:
        # "e3" was in the child's hands: delivered again, once; nothing lost.
        assert names([next(feed), next(feed), next(feed)]) == [
            "started:e3",
            "started:e4",
            "started:e5",
        ]
