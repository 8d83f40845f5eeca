"""retry_mode: argument > AWS_RETRY_MODE > profile retry_mode > "standard", on both clients."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials

from ssm_engagements.emulator import Emulator
from ssm_engagements.errors import ConfigurationError
from tests import _clients as clients


def make(kind: str, **kwargs: Any) -> Any:
    return clients.make(
        kind, "us-east-1", endpoint_url="http://127.0.0.1:9",
        credentials=Credentials("AKIDEXAMPLE", "secret"), **kwargs,
    )  # fmt: skip


def mode_of(client: Any) -> str:
    """The mode the client runs (adaptive: its calls share a rate limiter)."""
    return clients.controls(client).retry_mode


@pytest.mark.parametrize(
    ("arg", "env", "profile", "expected"),
    [
        pytest.param("adaptive", "standard", "standard", "adaptive", id="argument-wins"),
        pytest.param("standard", "adaptive", "adaptive", "standard", id="argument-standard"),
        pytest.param(None, "adaptive", "standard", "adaptive", id="env-over-profile"),
        pytest.param(None, None, "adaptive", "adaptive", id="profile"),
        pytest.param(None, None, None, "standard", id="default"),
        pytest.param(None, "legacy", "adaptive", "standard", id="legacy-is-standard"),
        pytest.param(None, " Adaptive ", None, "adaptive", id="env-case-and-space"),
        pytest.param(None, "", "adaptive", "adaptive", id="empty-env-is-unset"),
    ],
)
def test_retry_mode_precedence(
    client_kind: str,
    isolated_aws_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    arg: str | None,
    env: str | None,
    profile: str | None,
    expected: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("AWS_RETRY_MODE", env)
    if profile is not None:
        (isolated_aws_env / "config").write_text(
            textwrap.dedent(f"[default]\nretry_mode = {profile}\n")
        )
    with make(client_kind, retry_mode=arg) as client:
        assert mode_of(client) == expected
        assert client.send_rate is None  # adaptive too: unlimited until throttled


@pytest.mark.parametrize("value", ["turbo", "Standard mode", 3])
def test_bad_retry_mode_argument_is_a_configuration_error(client_kind: str, value: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        make(client_kind, retry_mode=value)
    message = str(info.value)
    assert "retry_mode=" in message and repr(value) in message
    assert "'standard', 'adaptive'" in message


def test_bad_retry_mode_in_env_and_profile_names_the_setting(
    client_kind: str, isolated_aws_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "fast")
    with pytest.raises(ConfigurationError, match=r"AWS_RETRY_MODE.*'standard', 'adaptive'.*'fast'"):
        make(client_kind)
    monkeypatch.delenv("AWS_RETRY_MODE")
    (isolated_aws_env / "config").write_text("[default]\nretry_mode = slow\n")
    with pytest.raises(ConfigurationError, match=r"retry_mode.*profile.*'slow'"):
        make(client_kind)


def test_each_client_has_its_own_limiter(client_kind: str) -> None:
    with Emulator() as emu:
        one = clients.from_emulator(emu, client_kind, retry_mode="adaptive")
        two = clients.from_emulator(emu, client_kind, retry_mode="adaptive")
        emu.inject("throttle")
        one.list_engagements()  # throttled, then retried: one's limiter engages
        two.list_engagements()
        assert one.send_rate is not None
        assert two.send_rate is None  # two's calls do not wait on one's limiter
        one.close()
        two.close()
