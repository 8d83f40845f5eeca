"""Secrets are scrubbed out of every error by construction, whatever the library
underneath printed: hostile proxy passwords (which urllib3 2.0-2.7 quote in their
"Failed to parse" message and urllib3 2.8 quotes in pieces or in a UnicodeEncodeError),
credentials pasted into the wrong setting, and chains of foreign exceptions.

Traffic goes only to closed loopback ports: every error here is a refused or
unparseable connection."""

from __future__ import annotations

import base64
import contextlib
import pickle
import socket
import traceback
from collections.abc import Iterator
from urllib.parse import quote, unquote

import pytest
from botocore.credentials import Credentials
from botocore.exceptions import HTTPClientError

from ssm_engagements import ConfigurationError, TransportError
from ssm_engagements._scrub import REDACTED, proxy_secrets, scrub
from ssm_engagements.hooks import CallEnd, Hook
from tests import _clients as clients
from tests.reliability.test_security import CANARIES, KEY_ID, SECRET, TOKEN

HOSTILE_PASSWORDS = [
    "pa/ss-word",  # urllib3 < 2.8: "Failed to parse: http://user:pa/ss-word@host:port"
    "p@ss:w/rd",  # urllib3 2.8: "'ss:w' is not a valid host or port"
    "pass%2Fword",
    "pass word with spaces",
    "p%C3%A4ssw%C3%B6rd",  # urllib3 2.8: a UnicodeEncodeError holding "user:pässwörd"
    "pässwörd-raw",
    "s3cr%40t:more@",
]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _forms(password: str) -> set[str]:
    """How a password may be shown: as typed, decoded, encoded, inside its user info,
    and as the Proxy-Authorization value."""
    decoded = unquote(password)
    basic = base64.b64encode(f"proxyuser:{decoded}".encode()).decode()
    found = {password, decoded, quote(decoded, safe=""), basic}
    found |= {f"proxyuser:{password}", f"proxyuser:{decoded}"}
    return found | {ascii(f)[1:-1] for f in found} | {repr(f.encode())[2:-1] for f in found}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """error and its causes and contexts (botocore's kwargs["error"] is its context)."""
    seen: set[int] = set()
    found: BaseException | None = error
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        yield found
        found = found.__cause__ or found.__context__


def _every_text(error: BaseException) -> str:
    """What a person or a log could see: str, repr, the formatted traceback, pickles,
    and every chained exception's str, repr, args and attributes."""
    parts = ["".join(traceback.format_exception(error))]
    for err in _chain(error):
        parts += [str(err), repr(err), repr(err.args), repr(getattr(err, "__dict__", ""))]
        with contextlib.suppress(Exception):  # a foreign exception that does not pickle
            parts.append(repr(pickle.dumps(err)))
    return "\n".join(parts)


def _assert_clean(text: str, secrets: set[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"


@pytest.fixture
def no_proxy_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_proxy_bypass")
@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_a_hostile_proxy_password_is_in_no_error(
    password: str, client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:{password}@127.0.0.1:{_closed_port()}")
    client = clients.make(
        client_kind, "us-east-1", endpoint_url=f"https://127.0.0.1:{_closed_port()}",
        credentials=Credentials(KEY_ID, SECRET, TOKEN), max_attempts=1, connect_timeout=5,
    )  # fmt: skip
    with pytest.raises(TransportError) as info:
        client.list_engagements()
    # The credentials too: they were resolved before the request was sent.
    _assert_clean(_every_text(info.value), _forms(password) | set(CANARIES))
    _assert_clean(repr(client) + repr(client._config), _forms(password))


@pytest.mark.usefixtures("no_proxy_bypass")
def test_hooks_see_the_error_already_scrubbed(
    client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = "pa/ss-word"
    monkeypatch.setenv("HTTPS_PROXY", f"http://proxyuser:{password}@127.0.0.1:{_closed_port()}")

    class Recorder(Hook):
        def __init__(self) -> None:
            self.errors: list[BaseException] = []

        def on_call_end(self, event: CallEnd) -> None:
            assert event.error is not None
            self.errors.append(event.error)

    recorder = Recorder()
    client = clients.make(
        client_kind, "us-east-1", endpoint_url=f"https://127.0.0.1:{_closed_port()}",
        credentials=Credentials(KEY_ID, SECRET), max_attempts=1, hooks=[recorder],
    )  # fmt: skip
    with pytest.raises(TransportError):
        client.list_engagements()
    (seen,) = recorder.errors
    _assert_clean(_every_text(seen), _forms(password))


def test_a_secret_pasted_into_the_wrong_setting_is_not_echoed(
    client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", SECRET)  # the rule quotes the value it refuses
    with pytest.raises(ConfigurationError, match="AWS_REGION must be a region name") as info:
        clients.make(client_kind)
    assert REDACTED in str(info.value)
    _assert_clean(_every_text(info.value), set(CANARIES))


# -- the scrubber on chains no library made yet ----------------------------------------
class _Opaque(Exception):
    """Shows a secret from a field scrubbing cannot reach (a slot, not an argument)."""

    __slots__ = ("hidden",)

    def __init__(self, hidden: str) -> None:
        super().__init__()
        self.hidden = hidden

    def __str__(self) -> str:
        return f"opaque: {self.hidden}"


def _raise_chain(secret: str) -> TransportError:
    try:
        try:
            try:
                try:
                    raise _Opaque(secret)
                except _Opaque as opaque:
                    raise OSError(111, f"refused by {secret}", f"/tmp/{secret}") from opaque
            except OSError as os_error:
                text = f"proxyuser:{secret}"
                raise UnicodeEncodeError("ascii", text, 11, 12, "ordinal not in range(128)") from (
                    os_error
                )
        except UnicodeEncodeError as unicode_error:
            raise HTTPClientError(error=unicode_error) from unicode_error
    except HTTPClientError as botocore_error:
        error = TransportError(f"Could not complete request: {botocore_error}")
        error.__cause__ = botocore_error
        error.__notes__ = [f"while using {secret}"]  # add_note() is Python 3.11+
        return error


def test_scrub_rewrites_a_whole_chain_and_stands_in_where_it_cannot() -> None:
    secret = "pässwörd/with@delims"
    error = _raise_chain(secret)
    assert secret in _every_text(error)  # the chain did quote it everywhere
    cause = error.__cause__
    assert scrub(error, [secret]) is error  # the SDK's own error: rewritten in place
    assert error.__cause__ is cause
    _assert_clean(_every_text(error), {secret, quote(secret, safe="")})
    assert REDACTED in "".join(traceback.format_exception(error))
    kinds = [type(e) for e in _chain(error)]
    assert [k.__name__ for k in kinds] == [
        "TransportError", "HTTPClientError", "UnicodeEncodeError", "ConnectionRefusedError", "_Opaque",
    ]  # fmt: skip
    opaque = next(e for e in _chain(error) if type(e).__name__ == "_Opaque")
    assert isinstance(opaque, _Opaque) and type(opaque) is not _Opaque  # a stand-in
    assert str(opaque) == f"opaque: {REDACTED}"
    clone = pickle.loads(pickle.dumps(opaque))
    assert isinstance(clone, _Opaque) and str(clone) == str(opaque)


def test_scrub_survives_a_cycle_and_knows_nothing_without_secrets() -> None:
    first, second = ValueError("a secret-value"), KeyError("secret-value")
    first.__context__, second.__context__ = second, first
    assert scrub(first, []) is first and str(first) == "a secret-value"
    assert scrub(first, ["secret-value"]) is first
    assert (str(first), second.args) == (f"a {REDACTED}", (REDACTED,))


def test_proxy_secrets_cover_the_pieces_a_url_parser_quotes() -> None:
    found = proxy_secrets("http://user:p@ss:w/rd@127.0.0.1:3128")
    assert {"user:p@ss:w/rd", "p@ss:w/rd", "ss:w", "user:p"} <= set(found)
    assert "user" not in found  # a user name alone is no secret
    assert proxy_secrets("http://127.0.0.1:3128") == []
