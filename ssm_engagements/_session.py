"""The botocore session, created at most once and only when a profile value is needed,
and the argument > environment > profile lookup every setting uses."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if TYPE_CHECKING:
    import botocore.session


@contextlib.contextmanager
def profile_errors() -> Generator[None, None, None]:
    import botocore.exceptions

    try:
        yield
    except botocore.exceptions.BotoCoreError as exc:  # ProfileNotFound, ConfigParseError, ...
        raise ConfigurationError(f"Cannot read the AWS shared config: {exc}") from exc


class SessionHolder:
    """Creates the botocore session on first call, at most once (thread-safe).

    ``session`` may be a botocore or boto3 Session. Raises ConfigurationError for another
    type, or when both ``session`` and ``profile_name`` are given.
    """

    def __init__(self, session: object | None = None, profile_name: str | None = None) -> None:
        if session is not None:
            if profile_name is not None:
                raise ConfigurationError("Pass session= or profile_name=, not both")
            import botocore.session

            session = getattr(session, "_session", session)  # a boto3.Session wraps one
            if not isinstance(session, botocore.session.Session):
                raise ConfigurationError(
                    f"session= must be a botocore or boto3 Session; got {type(session).__name__}"
                )
        self._session: botocore.session.Session | None = session
        self._profile_name = profile_name
        self._default = session is None and profile_name is None
        self._scoped: Mapping[str, Any] | None = None
        self._maybe: bool | None = None
        self._lock = threading.Lock()

    @property
    def created(self) -> bool:
        """Whether a session exists (given, or created by a call)."""
        return self._session is not None

    @property
    def default(self) -> bool:
        """True when neither a session nor a profile name was given: botocore's default
        session, whose credential chain starts with the environment."""
        return self._default

    def __call__(self) -> botocore.session.Session:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import botocore.session

                    self._session = botocore.session.Session(profile=self._profile_name)
        return self._session

    def may_have_profile_values(self) -> bool:
        """False only when no session or profile is named and no shared config file exists."""
        if self._session is not None or self._profile_name is not None:
            return True
        if self._maybe is None:  # checked once per holder: it is asked for every setting
            env = os.environ
            # botocore merges the credentials file's keys (even `region`) into the profile;
            # a named profile counts even without files, so that its absence is reported.
            files = (
                env.get("AWS_CONFIG_FILE") or "~/.aws/config",
                env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials",
            )
            self._maybe = bool(env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE")) or any(
                os.path.exists(os.path.expanduser(f)) for f in files
            )
        return self._maybe

    def scoped_config(self) -> Mapping[str, Any]:
        """The profile's shared-config values ({} when there can be none)."""
        if self._scoped is None:
            scoped: Mapping[str, Any] = {}
            if self.may_have_profile_values():
                with profile_errors():
                    scoped = self().get_scoped_config()
            self._scoped = scoped
        return self._scoped

    def profile_value(self, key: str) -> object | None:
        """A session instance variable (e.g. boto3 ``region_name=``), else the profile's."""
        if not self.may_have_profile_values():
            return None
        value = self().instance_variables().get(key)
        return self.scoped_config().get(key) if value is None else value


lazy_session = SessionHolder  # the holder the client shares with CredentialSource


def env_value(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None  # an empty variable counts as unset


def first_setting(
    holder: SessionHolder, key: str, env: tuple[str, ...], arg: object = None, arg_name: str = ""
) -> tuple[object, str] | None:
    """The first value set and where it came from: argument > environment > profile."""
    if arg is not None:
        return arg, f"{arg_name or key}="
    for name in env:
        if (text := env_value(name)) is not None:
            return text, name
    value = holder.profile_value(key)
    return None if value in (None, "") else (value, f"`{key}` in the profile")


def flag_setting(holder: SessionHolder, key: str, env: str, arg: bool | None = None) -> bool:
    found = first_setting(holder, key, (env,), arg)
    if found is None:
        return False
    value, source = found
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ConfigurationError(f"{source} must be true or false; got {value!r}")
    return value
