"""Credentials: the argument, else botocore's chain, resolved lazily at the first request
and refreshed as botocore does. No repr or message ever holds a secret."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._session import SessionHolder
from .errors import ConfigurationError, NoCredentialsError

if TYPE_CHECKING:
    import botocore.credentials
    import botocore.session


_NO_CREDENTIALS = (
    "No AWS credentials found. Pass credentials=, set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary ones), put them in the shared "
    "credentials file (~/.aws/credentials), sign in with `aws sso login`, or choose a profile "
    "that has them (profile_name= or AWS_PROFILE)."
)


class EnvCredentials:
    """Static credentials from the environment: what botocore's EnvProvider gives (plain
    Credentials, method "env"), held without importing botocore.credentials (~8 ms of a
    cold start). SigV4 signing reads only access_key, secret_key and token;
    get_frozen_credentials() gives botocore's ReadOnlyCredentials like any other source.
    """

    __slots__ = ("access_key", "secret_key", "token")
    method = "env"

    def __init__(self, access_key: str, secret_key: str, token: str | None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token

    def get_frozen_credentials(self) -> botocore.credentials.ReadOnlyCredentials:
        from botocore.credentials import ReadOnlyCredentials

        return ReadOnlyCredentials(self.access_key, self.secret_key, self.token)

    def __repr__(self) -> str:
        return "EnvCredentials(method='env')"  # never the values


def env_credentials() -> EnvCredentials | None:
    """What botocore's default credential chain returns when the environment holds static
    credentials, without creating a botocore session (~25 ms at a cold start).

    The chain's first provider is botocore's EnvProvider; its result is mirrored for the
    common case: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, a token from
    AWS_SECURITY_TOKEN else AWS_SESSION_TOKEN, no AWS_CREDENTIAL_EXPIRATION. Anything
    else (partial or refreshable credentials, none at all) returns None: the chain decides.
    """
    environ = os.environ
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or environ.get("AWS_CREDENTIAL_EXPIRATION", ""):
        return None
    token = environ.get("AWS_SECURITY_TOKEN", "") or environ.get("AWS_SESSION_TOKEN", "")
    return EnvCredentials(access_key, secret_key, token or None)


class CredentialSource:
    """Lazily resolves credentials once (thread-safe, a lock), then returns frozen ones per request.

    ``credentials`` (botocore / boto3 Credentials, or ReadOnlyCredentials) win over the
    session's chain. Raises ConfigurationError at construction for another type.
    """

    def __init__(
        self, credentials: object | None, session_factory: Callable[[], botocore.session.Session]
    ) -> None:
        if credentials is not None and not (
            hasattr(credentials, "get_frozen_credentials")
            or (hasattr(credentials, "access_key") and hasattr(credentials, "secret_key"))
        ):
            raise ConfigurationError(  # the type only: the value may be a secret
                "credentials= must be botocore Credentials or ReadOnlyCredentials; "
                f"got {type(credentials).__name__}"
            )
        self._explicit = credentials is not None
        self._resolved: Any = credentials
        self._factory = session_factory
        self._lock = threading.Lock()

    def get(self) -> botocore.credentials.ReadOnlyCredentials:
        """Frozen credentials for one request. Raises NoCredentialsError when there are none."""
        frozen = self.for_signing()
        if isinstance(frozen, EnvCredentials):
            return frozen.get_frozen_credentials()
        return frozen

    def for_signing(self) -> botocore.credentials.ReadOnlyCredentials | EnvCredentials:
        """What get() gives, except that environment credentials come as they are (the
        signer reads the same three fields). Raises NoCredentialsError."""
        creds = self._resolved
        if creds is None:
            with self._lock:  # resolve once even when many threads start together
                if self._resolved is None:
                    self._resolved = self._load()
                creds = self._resolved
        if type(creds) is EnvCredentials or not hasattr(creds, "get_frozen_credentials"):
            frozen = creds  # static: EnvCredentials, or already ReadOnlyCredentials
        else:
            import botocore.exceptions

            try:  # RefreshableCredentials refresh here (under their own lock) near expiry
                frozen = creds.get_frozen_credentials()
            except botocore.exceptions.BotoCoreError as exc:
                raise NoCredentialsError(f"Could not refresh AWS credentials: {exc}") from exc
        if not frozen.access_key or not frozen.secret_key:
            raise NoCredentialsError(_NO_CREDENTIALS)
        return frozen

    def resolved(self) -> object | None:
        """The credentials resolved so far (None before the first request), as they are:
        neither resolved nor refreshed by this call."""
        resolved: object | None = self._resolved
        return resolved

    def may_block(self) -> bool:
        """True when for_signing() may do blocking I/O: the first resolution (files,
        SSO, credential_process, instance metadata), or refreshable credentials due for
        a refresh."""
        creds = self._resolved
        if creds is None:
            return True
        refresh_needed = getattr(creds, "refresh_needed", None)
        return bool(refresh_needed is not None and refresh_needed())

    def _load(self) -> Any:
        if isinstance(self._factory, SessionHolder) and self._factory.default:
            env = env_credentials()
            if env is not None:
                return env
        import botocore.exceptions

        try:
            creds = self._factory().get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            # botocore's messages name the provider or profile, never a key.
            raise NoCredentialsError(f"Could not load AWS credentials: {exc}") from exc
        if creds is None:
            raise NoCredentialsError(_NO_CREDENTIALS)
        return creds

    def __repr__(self) -> str:
        source = "argument" if self._explicit else "botocore chain"
        method = getattr(self._resolved, "method", None)
        return f"CredentialSource({source=!s}, resolved={self._resolved is not None}, {method=})"
