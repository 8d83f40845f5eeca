"""The credentials this SDK signs with are the ones botocore's chain picks."""

from __future__ import annotations

import boto3.session
import botocore.session
import pytest

import ssm_engagements as se
from ssm_engagements.emulator import Emulator


def test_security_token_wins_over_session_token_as_in_botocore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "environment/secret")
    # botocore reads AWS_SECURITY_TOKEN (the older name) first.
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "token-from-AWS_SECURITY_TOKEN")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token-from-AWS_SESSION_TOKEN")
    picked = botocore.session.Session().get_credentials()
    assert picked is not None
    assert picked.token == "token-from-AWS_SECURITY_TOKEN"

    for token, accepted in ((picked.token, True), ("token-from-AWS_SESSION_TOKEN", False)):
        with Emulator(
            access_key_id="AKIDENVIRONMENT",
            secret_access_key="environment/secret",
            session_token=token,
        ) as emu:
            ours = se.EngagementsClient(emu.region, endpoint_url=emu.url, max_attempts=1)
            # A fresh session: boto3.client() reuses a default one made by earlier tests.
            theirs = boto3.session.Session().client(
                "ssm-contacts", region_name=emu.region, endpoint_url=emu.url
            )
            with ours:
                if accepted:
                    assert ours.list_engagements().engagements == ()
                    assert theirs.list_engagements()["Engagements"] == []
                else:
                    with pytest.raises(se.ServiceError) as info:
                        ours.list_engagements()
                    assert info.value.code == "UnrecognizedClientException"
