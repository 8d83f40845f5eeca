"""Secrets out of every error the SDK raises, whatever the libraries underneath printed.

urllib3, botocore and aiohttp word their errors as they like: some quote a proxy URL
with its password, some a percent-decoded password inside a ``UnicodeEncodeError``.
So the drivers pass every error that leaves them through ``scrub``, with the secrets
the client knows (``client_secrets``): the secret key and session token of the
credentials resolved so far, and the user info and password of each proxy URL, in
their raw, percent-decoded, percent-encoded, JSON- and repr-escaped forms.

``scrub`` rewrites an exception and its whole ``__cause__`` / ``__context__`` chain in
place: args, attributes (botocore keeps its message's fields in ``kwargs``), notes,
``OSError`` and ``UnicodeError`` fields. An exception whose ``str`` or ``repr`` still
shows a secret after that is replaced by a stand-in of the same type holding the
scrubbed text. Frame locals (``__traceback__``) are left: tracebacks do not print them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._credentials import CredentialSource

__all__ = [
    "client_secrets",
    "credential_secrets",
    "environment_secrets",
    "proxy_secrets",
    "scrub",
    "scrubbing_environment",
]

P = ParamSpec("P")
R = TypeVar("R")

REDACTED = "<redacted>"
_DEPTH = 6  # containers inside attributes inside exceptions: enough for any library here


def proxy_secrets(url: str) -> list[str]:
    """The user info of a proxy URL (``user:password``), its password, the
    Proxy-Authorization value they make, and the pieces of the password a URL parser
    quotes when it misreads one (urllib3: ``'user:pa' is not a valid host or port``);
    [] without user info."""
    from urllib.parse import unquote

    rest = url.partition("://")[2] or url
    # The last "@" ends the user info: a password may hold "/" or "@" unescaped.
    userinfo, at, _ = rest.rpartition("@")
    if not at or not userinfo:
        return []
    import base64

    user, _, password = userinfo.partition(":")
    user_pass = f"{unquote(user)}:{unquote(password)}"
    basic = base64.b64encode(user_pass.encode()).decode()
    return [userinfo, password, basic, *_pieces(userinfo, len(user) + 1)]


_URL_DELIMITERS = "/?#@:[]"
# Shorter secrets and pieces are left: they would blank out ordinary words and fields
# of every message (an error code holds an "x"), and say little of a secret.
_MIN_SECRET = 4


def _pieces(userinfo: str, password_at: int) -> list[str]:
    """The runs of userinfo between URL delimiters (or its ends) that hold part of the
    password and are at least _MIN_SECRET long."""
    cuts = [i for i, char in enumerate(userinfo) if char in _URL_DELIMITERS]
    starts = [0, *(i + 1 for i in cuts)]
    ends = [*cuts, len(userinfo)]
    return [
        userinfo[start:end]
        for start in starts
        for end in ends
        if end - start >= _MIN_SECRET and end > password_at
    ]


def credential_secrets(credentials: object) -> list[str]:
    """The secret key and session token of credentials, read without refreshing them."""
    if hasattr(credentials, "refresh_needed"):
        # botocore's refreshable credentials refresh (I/O) when .secret_key is read;
        # what they last handed out is all that can have reached an error.
        credentials = getattr(credentials, "_frozen_credentials", None)
    found = [getattr(credentials, "secret_key", None), getattr(credentials, "token", None)]
    return [value for value in found if isinstance(value, str)]


def client_secrets(config: ClientConfig, credentials: CredentialSource) -> list[str]:
    """Every secret a client knows now: its proxies' and its resolved credentials'."""
    found = credential_secrets(credentials.resolved())
    for url in config.proxies.values():
        found += proxy_secrets(url)
    return found


def environment_secrets() -> list[str]:
    """The secrets a client's construction may meet: the environment's credentials
    and its proxies' user info."""
    from urllib.request import getproxies_environment

    env = os.environ
    names = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
    found = [env[name] for name in names if env.get(name)]
    for url in getproxies_environment().values():
        found += proxy_secrets(url)
    return found


def scrubbing_environment(resolve: Callable[P, R]) -> Callable[P, R]:
    """resolve, raising its errors without the environment's secrets (a setting that
    quotes its bad value may quote a secret pasted into the wrong variable)."""

    @functools.wraps(resolve)
    def resolve_scrubbed(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return resolve(*args, **kwargs)
        except BaseException as exc:
            scrub(exc, environment_secrets())
            raise

    return resolve_scrubbed


def scrub(exc: BaseException, secrets: Iterable[str]) -> BaseException:
    """exc, its chain and everything they print rewritten without secrets (in place);
    returns exc, or a stand-in of exc's type if exc itself could not be rewritten."""
    forms = _forms(tuple(secrets))
    if not forms:
        return exc
    return _Scrubber(forms).exception(exc, 0)


@functools.lru_cache(maxsize=8)
def _forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    from urllib.parse import quote, unquote

    forms: set[str] = set()
    for secret in secrets:
        if len(secret) < _MIN_SECRET:
            continue
        for text in (secret, unquote(secret)):
            for form in (text, quote(text, safe=""), quote(text, safe="").lower()):
                forms |= {form, form.replace("/", "\\/"), ascii(form)[1:-1]}
                forms.add(repr(form.encode())[2:-1])
    return tuple(sorted(forms, key=len, reverse=True))  # the longest first: no half-hidden


class _Scrubber:
    def __init__(self, forms: tuple[str, ...]) -> None:
        self._text = re.compile("|".join(map(re.escape, forms)))
        self._bytes = re.compile(b"|".join(re.escape(f.encode("utf-8", "replace")) for f in forms))
        self._done: dict[int, BaseException] = {}

    def text(self, text: str) -> str:
        return self._text.sub(REDACTED, text)

    def leaks(self, text: str) -> bool:
        return self._text.search(text) is not None

    def value(self, value: object, depth: int) -> Any:
        """value without secrets: the same object, a rewritten copy, or its scrubbed repr."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (bytes, bytearray)):
            return type(value)(self._bytes.sub(REDACTED.encode(), value))
        if isinstance(value, BaseException):
            return self.exception(value, depth + 1)
        if value is None or isinstance(value, (int, float)) or depth > _DEPTH:
            return value
        try:
            if isinstance(value, dict):
                items: Any = value.items()
                return type(value)(
                    (self.value(k, depth + 1), self.value(v, depth + 1)) for k, v in items
                )
            if isinstance(value, (tuple, list)):
                new = [self.value(item, depth + 1) for item in value]
                if hasattr(value, "_fields"):  # a named tuple (aiohttp's ConnectionKey)
                    return type(value)(*new)
                return type(value)(new)
            shown = repr(value)
        except Exception:
            return REDACTED
        return self.text(shown) if self.leaks(shown) else value

    def exception(self, exc: BaseException, depth: int) -> BaseException:
        done = self._done.get(id(exc))
        if done is not None:
            return done
        self._done[id(exc)] = exc  # a cycle in the chain ends here
        with contextlib.suppress(Exception):  # read-only or odd fields: a stand-in then
            self._rewrite(exc, depth)
        result = exc if self._clean(exc) else _stand_in(exc, self.text(_shown(exc)))
        self._done[id(exc)] = result
        return result

    def _rewrite(self, exc: BaseException, depth: int) -> None:
        suppress = exc.__suppress_context__  # setting __cause__ sets it too
        exc.__cause__ = self._link(exc.__cause__, depth)
        exc.__context__ = self._link(exc.__context__, depth)
        exc.__suppress_context__ = suppress
        state = getattr(exc, "__dict__", None)
        if isinstance(state, dict):  # __notes__ too
            for name, value in list(state.items()):
                state[name] = self.value(value, depth)
        if isinstance(exc, (UnicodeEncodeError, UnicodeDecodeError, UnicodeTranslateError)):
            self._unicode(exc)
        elif isinstance(exc, OSError):
            # str() of an OSError reads these fields, not args.
            exc.strerror = self.value(exc.strerror, depth)
            exc.filename = self.value(exc.filename, depth)
            exc.filename2 = self.value(exc.filename2, depth)
        exc.args = tuple(self.value(arg, depth) for arg in exc.args)
        for inner in getattr(exc, "exceptions", ()):  # an exception group's members
            if isinstance(inner, BaseException):
                self.exception(inner, depth + 1)

    def _unicode(
        self, exc: UnicodeEncodeError | UnicodeDecodeError | UnicodeTranslateError
    ) -> None:
        """A codec error names the text it failed on (the secret, decoded) and the bad
        character's position: keep the codec and reason, name the whole text instead."""
        if isinstance(exc, UnicodeDecodeError):
            shown = exc.object.decode("utf-8", "replace")
            if not self.leaks(repr(shown)):
                return
            exc.object = self._bytes.sub(REDACTED.encode(), exc.object)
        else:
            if not self.leaks(repr(exc.object)):
                return
            exc.object = self.text(exc.object)
        exc.start, exc.end = 0, len(exc.object)
        exc.args = (*exc.args[:1], exc.object, 0, exc.end, *exc.args[4:])

    def _link(self, linked: BaseException | None, depth: int) -> BaseException | None:
        return None if linked is None else self.exception(linked, depth + 1)

    def _clean(self, exc: BaseException) -> bool:
        try:
            shown = f"{_shown(exc)}\n{exc!r}\n{getattr(exc, '__notes__', '')}"
        except Exception:
            return False
        if self.leaks(shown):
            return False
        import pickle

        try:
            data = pickle.dumps(exc)
        except Exception:  # not picklable: nothing to leak that way
            return True
        return self._bytes.search(data) is None


def _shown(exc: BaseException) -> str:
    """What a traceback prints for exc (its str), or "" when str() fails."""
    try:
        return str(exc)
    except Exception:
        return ""


def _stand_in_str(self: BaseException) -> str:
    return str(self.args[0])


def _stand_in_repr(self: BaseException) -> str:
    return f"{type(self).__name__}({self.args[0]!r})"


def _stand_in_reduce(self: BaseException) -> tuple[object, ...]:
    return (_restore, (type(self).__mro__[1], self.args[0]))


_STAND_IN_TYPES: dict[type[BaseException], type[BaseException]] = {}


def _stand_in_type(cls: type[BaseException]) -> type[BaseException]:
    """A subclass of cls that shows only the text it is given (isinstance still holds)."""
    made = _STAND_IN_TYPES.get(cls)
    if made is None:
        namespace = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__str__": _stand_in_str,
            "__repr__": _stand_in_repr,
            "__reduce__": _stand_in_reduce,
        }
        try:
            made = type(cls.__name__, (cls,), namespace)
        except TypeError:  # a type that refuses subclasses
            made = type(cls.__name__, (Exception,), namespace)
        _STAND_IN_TYPES[cls] = made
    return made


def _stand_in(exc: BaseException, text: str) -> BaseException:
    new = _restore(type(exc), text)
    new.__cause__, new.__context__ = exc.__cause__, exc.__context__
    new.__suppress_context__ = exc.__suppress_context__
    new.__traceback__ = exc.__traceback__
    return new


def _restore(cls: type[BaseException], text: str) -> BaseException:
    stand_in = _stand_in_type(cls)
    try:
        new = stand_in.__new__(stand_in)  # no __init__: its arguments are unknown
    except Exception:  # a __new__ that needs arguments
        new = _stand_in_type(Exception).__new__(_stand_in_type(Exception))
    new.args = (text,)
    return new
