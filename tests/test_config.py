"""Configuration resolution: every precedence rule of the contract's "Client" section."""

from __future__ import annotations

import datetime
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import botocore.credentials
import botocore.exceptions
import botocore.session
import botocore.utils
import pytest

from ssm_engagements._config import (
    ClientConfig,
    CredentialSource,
    SessionHolder,
    lazy_session,
    resolve_config,
)
from ssm_engagements.errors import ConfigurationError, NoCredentialsError
from tests import _clients as clients

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FAKE-SESSION-TOKEN-EXAMPLE"


@pytest.fixture
def home(isolated_aws_env: Path) -> Path:
    return isolated_aws_env


def write_config(home: Path, text: str) -> None:
    (home / "config").write_text(textwrap.dedent(text))


def write_credentials(home: Path, text: str) -> None:
    (home / "credentials").write_text(textwrap.dedent(text))


def setenv(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


# --- region ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "env", "profile", "expected"),
    [
        pytest.param(
            "eu-west-1",
            {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-east-2"},
            "ap-south-1",
            "eu-west-1",
            id="argument-wins",
        ),
        pytest.param(
            None,
            {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-east-2"},
            "ap-south-1",
            "us-west-2",
            id="AWS_REGION-over-AWS_DEFAULT_REGION",
        ),
        pytest.param(
            None, {"AWS_DEFAULT_REGION": "us-east-2"}, "ap-south-1", "us-east-2", id="default"
        ),
        pytest.param(None, {}, "ap-south-1", "ap-south-1", id="profile"),
        pytest.param(
            None,
            {"AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"},
            None,
            "us-east-2",
            id="empty-env-is-unset",
        ),
        pytest.param(None, {"AWS_REGION": " sa-east-1 "}, None, "sa-east-1", id="env-stripped"),
    ],
)
def test_region_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    arg: str | None,
    env: dict[str, str],
    profile: str | None,
    expected: str,
) -> None:
    setenv(monkeypatch, env)
    if profile:
        write_config(home, f"[default]\nregion = {profile}\n")
    assert resolve_config(arg).region_name == expected


def test_region_from_named_profile(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, "[default]\nregion = us-east-1\n[profile work]\nregion = eu-north-1\n")
    assert resolve_config(profile_name="work").region_name == "eu-north-1"
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert resolve_config().region_name == "eu-north-1"


def test_region_from_credentials_file_only(home: Path) -> None:
    # botocore merges the credentials file's keys into the profile; so do we.
    write_credentials(home, "[default]\nregion = ca-central-1\n")
    assert resolve_config().region_name == "ca-central-1"


def test_region_from_boto3_session() -> None:
    boto3 = pytest.importorskip("boto3")
    session = boto3.Session(region_name="eu-west-3")
    assert resolve_config(session=session).region_name == "eu-west-3"


def test_region_from_botocore_session_profile(home: Path) -> None:
    write_config(home, "[profile other]\nregion = me-south-1\n")
    session = botocore.session.Session(profile="other")
    assert resolve_config(session=session).region_name == "me-south-1"


def test_no_region_names_every_way_to_set_one() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_config()
    message = str(info.value)
    for way in ("region_name=", "AWS_REGION", "AWS_DEFAULT_REGION", "`region`"):
        assert way in message


@pytest.mark.parametrize(
    "region", ["us east 1", "-us-east-1", "us-east-1-", "us_east_1", "a" * 64, "us.east", "é"]
)
def test_invalid_region_argument(region: str) -> None:
    with pytest.raises(ConfigurationError, match="region_name=") as info:
        resolve_config(region)
    assert repr(region) in str(info.value)


def test_invalid_region_from_env_and_profile_names_source(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "bad/region")
    with pytest.raises(ConfigurationError, match=r"AWS_REGION.*'bad/region'"):
        resolve_config()
    monkeypatch.delenv("AWS_REGION")
    write_config(home, "[default]\nregion = bad_region\n")
    with pytest.raises(ConfigurationError, match=r"`region` in the profile.*'bad_region'"):
        resolve_config()


@pytest.mark.parametrize("region", ["a", "us-east-1", "local", "a" * 63, "X1"])
def test_valid_regions(region: str) -> None:
    assert resolve_config(region).region_name == region


def test_missing_named_profile_is_a_configuration_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="nosuch"):
        resolve_config("us-east-1", profile_name="nosuch")
    monkeypatch.setenv("AWS_PROFILE", "nosuch2")  # even with no config file at all
    with pytest.raises(ConfigurationError, match="nosuch2"):
        resolve_config("us-east-1")


def test_session_arguments_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        resolve_config("us-east-1", session=botocore.session.Session(), profile_name="x")
    with pytest.raises(ConfigurationError, match="session= must be a botocore or boto3 Session"):
        resolve_config("us-east-1", session=object())


def test_malformed_config_file_is_a_configuration_error(home: Path) -> None:
    write_config(home, "[default\nregion = us-east-1\n")
    with pytest.raises(ConfigurationError, match="shared config"):
        resolve_config()


# --- endpoint: precedence ----------------------------------------------------------------------

SERVICES_PROFILE = """\
[default]
services = my-services
endpoint_url = https://profile-global.example.com
[services my-services]
ssm_contacts =
  endpoint_url = https://profile-service.example.com
"""


@pytest.mark.parametrize(
    ("arg", "env", "config", "expected"),
    [
        pytest.param(
            "https://arg.example.com",
            {
                "AWS_ENDPOINT_URL_SSM_CONTACTS": "https://env-service.example.com",
                "AWS_ENDPOINT_URL": "https://env-global.example.com",
            },
            SERVICES_PROFILE,
            "https://arg.example.com",
            id="argument-wins",
        ),
        pytest.param(
            None,
            {
                "AWS_ENDPOINT_URL_SSM_CONTACTS": "https://env-service.example.com",
                "AWS_ENDPOINT_URL": "https://env-global.example.com",
            },
            SERVICES_PROFILE,
            "https://env-service.example.com",
            id="service-env",
        ),
        pytest.param(
            None,
            {"AWS_ENDPOINT_URL": "https://env-global.example.com"},
            SERVICES_PROFILE,
            "https://env-global.example.com",
            id="global-env",
        ),
        pytest.param(
            None, {}, SERVICES_PROFILE, "https://profile-service.example.com", id="services-section"
        ),
        pytest.param(
            None,
            {},
            "[default]\nendpoint_url = https://profile-global.example.com\n",
            "https://profile-global.example.com",
            id="profile-endpoint_url",
        ),
        pytest.param(None, {}, None, "https://ssm-contacts.us-east-1.amazonaws.com", id="derived"),
        pytest.param(
            None,
            {
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
                "AWS_ENDPOINT_URL_SSM_CONTACTS": "https://env-service.example.com",
                "AWS_ENDPOINT_URL": "https://env-global.example.com",
            },
            SERVICES_PROFILE,
            "https://ssm-contacts.us-east-1.amazonaws.com",
            id="ignored-by-env",
        ),
        pytest.param(
            "https://arg.example.com",
            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"},
            SERVICES_PROFILE,
            "https://arg.example.com",
            id="argument-never-ignored",
        ),
        pytest.param(
            None,
            {"AWS_ENDPOINT_URL": "https://env-global.example.com"},
            "[default]\nignore_configured_endpoint_urls = true\n",
            "https://ssm-contacts.us-east-1.amazonaws.com",
            id="ignored-by-profile",
        ),
        pytest.param(
            None,
            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"},
            "[default]\nignore_configured_endpoint_urls = true\n"
            "endpoint_url = https://profile-global.example.com\n",
            "https://profile-global.example.com",
            id="env-false-overrides-profile-true",
        ),
        pytest.param(
            None,
            {"AWS_ENDPOINT_URL": ""},
            None,
            "https://ssm-contacts.us-east-1.amazonaws.com",
            id="empty-env-is-unset",
        ),
    ],
)
def test_endpoint_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    arg: str | None,
    env: dict[str, str],
    config: str | None,
    expected: str,
) -> None:
    setenv(monkeypatch, env)
    if config:
        write_config(home, config)
    assert resolve_config("us-east-1", endpoint_url=arg).endpoint_url == expected


def test_missing_services_section_is_a_configuration_error(home: Path) -> None:
    write_config(home, "[default]\nservices = nowhere\n")
    with pytest.raises(ConfigurationError, match="nowhere"):
        resolve_config("us-east-1")


def test_bad_ignore_flag_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes")
    with pytest.raises(ConfigurationError, match=r"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS.*'yes'"):
        resolve_config("us-east-1")


# --- endpoint: derivation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "fips", "dualstack", "expected"),
    [
        ("us-east-1", False, False, "https://ssm-contacts.us-east-1.amazonaws.com"),
        ("us-east-1", True, False, "https://ssm-contacts-fips.us-east-1.amazonaws.com"),
        ("us-east-1", False, True, "https://ssm-contacts.us-east-1.api.aws"),
        ("us-east-1", True, True, "https://ssm-contacts-fips.us-east-1.api.aws"),
        ("cn-north-1", False, False, "https://ssm-contacts.cn-north-1.amazonaws.com.cn"),
        (
            "cn-northwest-1",
            True,
            False,
            "https://ssm-contacts-fips.cn-northwest-1.amazonaws.com.cn",
        ),
        (
            "cn-north-1",
            False,
            True,
            "https://ssm-contacts.cn-north-1.api.amazonwebservices.com.cn",
        ),
        ("us-gov-west-1", False, False, "https://ssm-contacts.us-gov-west-1.amazonaws.com"),
        ("us-gov-east-1", True, False, "https://ssm-contacts-fips.us-gov-east-1.amazonaws.com"),
        ("us-gov-west-1", False, True, "https://ssm-contacts.us-gov-west-1.api.aws"),
        ("us-iso-east-1", False, False, "https://ssm-contacts.us-iso-east-1.c2s.ic.gov"),
        ("us-iso-east-1", True, False, "https://ssm-contacts-fips.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", False, False, "https://ssm-contacts.us-isob-east-1.sc2s.sgov.gov"),
        # Not listed in partitions.json: matched by the partition's regionRegex.
        ("cn-south-9", False, False, "https://ssm-contacts.cn-south-9.amazonaws.com.cn"),
        ("us-iso-west-9", False, False, "https://ssm-contacts.us-iso-west-9.c2s.ic.gov"),
        ("us-gov-south-7", False, False, "https://ssm-contacts.us-gov-south-7.amazonaws.com"),
        # Matching nothing: the aws partition.
        ("local", False, False, "https://ssm-contacts.local.amazonaws.com"),
    ],
)
def test_derived_endpoint(region: str, fips: bool, dualstack: bool, expected: str) -> None:
    config = resolve_config(region, use_fips_endpoint=fips, use_dualstack_endpoint=dualstack)
    assert config.endpoint_url == expected


@pytest.mark.parametrize(
    ("region", "fips", "dualstack"),
    [
        ("us-east-1", True, True),
        ("cn-north-1", False, True),
        ("us-gov-west-1", True, False),
        ("us-iso-east-1", False, False),
        ("eu-isoe-west-1", False, False),
        ("us-isof-south-1", True, False),
    ],
)
def test_derived_endpoint_matches_botocore(region: str, fips: bool, dualstack: bool) -> None:
    boto3 = pytest.importorskip("boto3")
    from botocore.config import Config

    client = boto3.client(
        "ssm-contacts",
        region_name=region,
        config=Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack),
    )
    ours = resolve_config(region, use_fips_endpoint=fips, use_dualstack_endpoint=dualstack)
    assert ours.endpoint_url == client.meta.endpoint_url


@pytest.mark.parametrize(
    ("arg", "env", "profile", "expected"),
    [
        pytest.param(False, "true", "true", False, id="argument-false-wins"),
        pytest.param(True, "false", "false", True, id="argument-true-wins"),
        pytest.param(None, "TRUE", "false", True, id="env-over-profile"),
        pytest.param(None, "False", "true", False, id="env-false-over-profile"),
        pytest.param(None, None, "true", True, id="profile"),
        pytest.param(None, None, None, False, id="default"),
    ],
)
@pytest.mark.parametrize(
    ("key", "env_name", "arg_name"),
    [
        ("use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
        ("use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
    ],
)
def test_fips_and_dualstack_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    env_name: str,
    arg_name: str,
    arg: bool | None,
    env: str | None,
    profile: str | None,
    expected: bool,
) -> None:
    if env is not None:
        monkeypatch.setenv(env_name, env)
    if profile is not None:
        write_config(home, f"[default]\n{key} = {profile}\n")
    kwargs: dict[str, Any] = {arg_name: arg}
    url = resolve_config("us-east-1", **kwargs).endpoint_url
    marker = "-fips." if key == "use_fips_endpoint" else ".api.aws"
    assert (marker in url) is expected


@pytest.mark.parametrize("value", ["yes", "1", "on"])
def test_bad_flag_values_are_named(home: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", value)
    with pytest.raises(ConfigurationError, match=f"AWS_USE_FIPS_ENDPOINT.*'{value}'"):
        resolve_config("us-east-1")
    monkeypatch.delenv("AWS_USE_FIPS_ENDPOINT")
    write_config(home, f"[default]\nuse_dualstack_endpoint = {value}\n")
    with pytest.raises(
        ConfigurationError, match=f"`use_dualstack_endpoint` in the profile.*{value}"
    ):
        resolve_config("us-east-1")


def test_explicit_endpoint_with_fips_argument_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="use_fips_endpoint"):
        resolve_config("us-east-1", endpoint_url="https://x.example.com", use_fips_endpoint=True)
    with pytest.raises(ConfigurationError, match="use_dualstack_endpoint"):
        resolve_config(
            "us-east-1", endpoint_url="https://x.example.com", use_dualstack_endpoint=True
        )


def test_configured_endpoint_wins_over_fips_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://local.example.com")
    assert resolve_config("us-east-1").endpoint_url == "https://local.example.com"
    cfg = resolve_config("us-east-1", endpoint_url="https://a.example.com", use_fips_endpoint=False)
    assert cfg.endpoint_url == "https://a.example.com"


# --- endpoint: validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://example.com", "https://example.com"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com/prefix", "https://example.com/prefix"),
        ("https://example.com/prefix/", "https://example.com/prefix/"),
        ("https://example.com:8443/a/b", "https://example.com:8443/a/b"),
        ("HTTPS://Example.COM/Path", "HTTPS://Example.COM/Path"),
        ("http://localhost:4566/", "http://localhost:4566"),
    ],
)
def test_endpoint_path_is_kept(given: str, expected: str) -> None:
    assert resolve_config("us-east-1", endpoint_url=given).endpoint_url == expected


@pytest.mark.parametrize(
    "url",
    [
        "example.com",
        "ftp://example.com",
        "https://",
        "https:///path",
        "https://example.com:99999",
        "https://example.com:port",
        "https://example.com:0",
        "http://[::1",
        "https://exa mple.com",
        "https://example.com/\nX-Injected: 1",
        "https://example.com/?a=b",
        "https://example.com/#frag",
        "",
    ],
)
def test_bad_endpoint_urls(url: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint_url="):
        resolve_config("us-east-1", endpoint_url=url)


def test_bad_endpoint_type() -> None:
    with pytest.raises(ConfigurationError, match="URL string"):
        resolve_config("us-east-1", endpoint_url=42)  # type: ignore[arg-type]


def test_bad_endpoint_from_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM_CONTACTS", "not a url")
    with pytest.raises(ConfigurationError, match=r"AWS_ENDPOINT_URL_SSM_CONTACTS.*'not a url'"):
        resolve_config("us-east-1")


@pytest.mark.parametrize("password", [SECRET_KEY, "plainpassword"])
def test_user_info_in_endpoint_is_refused_without_echo(password: str) -> None:
    with pytest.raises(ConfigurationError, match="user info") as info:
        resolve_config("us-east-1", endpoint_url=f"https://user:{password}@example.com/p")
    assert password not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost",
        "http://LOCALHOST:8080/x",
        "http://localhost.:80",
        "http://127.0.0.1",
        "http://127.0.0.2:9000",
        "http://127.255.255.254",
        "http://[::1]:8080",
        "http://[::1]/prefix",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert resolve_config("us-east-1", endpoint_url=url).endpoint_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1:8080",
        "http://128.0.0.1",
        "http://localhost.example.com",
        "http://[::2]",
        "http://0.0.0.0",
    ],
)
def test_plain_http_to_other_hosts_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="clear text") as info:
        resolve_config("us-east-1", endpoint_url=url)
    assert "allow_insecure_http=True" in str(info.value)
    assert "session token" in str(info.value)
    config = resolve_config("us-east-1", endpoint_url=url, allow_insecure_http=True)
    assert config.endpoint_url == url


def test_plain_http_from_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://example.com")
    with pytest.raises(ConfigurationError, match=r"AWS_ENDPOINT_URL.*clear text"):
        resolve_config("us-east-1")


# --- retries and timeouts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "env", "profile", "expected"),
    [
        pytest.param(7, "5", "4", 7, id="argument-wins"),
        pytest.param(None, "5", "4", 5, id="env-over-profile"),
        pytest.param(None, None, "4", 4, id="profile"),
        pytest.param(None, None, None, 3, id="default"),
        pytest.param(1, None, None, 1, id="one"),
        pytest.param(None, " 9 ", None, 9, id="env-stripped"),
    ],
)
def test_max_attempts_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    arg: int | None,
    env: str | None,
    profile: str | None,
    expected: int,
) -> None:
    if env is not None:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", env)
    if profile is not None:
        write_config(home, f"[default]\nmax_attempts = {profile}\n")
    assert resolve_config("us-east-1", max_attempts=arg).max_attempts == expected


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "3"])
def test_bad_max_attempts_argument(value: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"max_attempts=.*integer >= 1") as info:
        resolve_config("us-east-1", max_attempts=value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("value", ["0", "-2", "abc", "1.5"])
def test_bad_max_attempts_env_and_profile(
    home: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", value)
    with pytest.raises(ConfigurationError, match=f"AWS_MAX_ATTEMPTS.*'{value}'"):
        resolve_config("us-east-1")
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    write_config(home, f"[default]\nmax_attempts = {value}\n")
    with pytest.raises(ConfigurationError, match="`max_attempts` in the profile"):
        resolve_config("us-east-1")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_backoff", -0.1),
        ("max_backoff", float("nan")),
        ("max_backoff", float("inf")),
        ("max_backoff", True),
        ("max_backoff", "1"),
        ("connect_timeout", 0),
        ("connect_timeout", -1),
        ("connect_timeout", float("nan")),
        ("read_timeout", 0.0),
        ("read_timeout", -5),
        ("read_timeout", None),
    ],
)
def test_bad_numbers(name: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=f"{name}="):
        resolve_config("us-east-1", **{name: value})


def test_numbers_and_defaults() -> None:
    config = resolve_config("us-east-1")
    assert (config.max_backoff, config.connect_timeout, config.read_timeout) == (20.0, 60.0, 60.0)
    config = resolve_config("us-east-1", max_backoff=0, connect_timeout=1, read_timeout=0.5)
    assert (config.max_backoff, config.connect_timeout, config.read_timeout) == (0.0, 1.0, 0.5)
    assert isinstance(config.max_backoff, float)


# --- TLS, proxies, user agent ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "env", "profile", "expected"),
    [
        pytest.param(False, "/env/ca.pem", "/profile/ca.pem", False, id="argument-false"),
        pytest.param("/arg/ca.pem", "/env/ca.pem", None, "/arg/ca.pem", id="argument-path"),
        pytest.param(None, "/env/ca.pem", "/profile/ca.pem", "/env/ca.pem", id="AWS_CA_BUNDLE"),
        pytest.param(None, None, "/profile/ca.pem", "/profile/ca.pem", id="profile-ca_bundle"),
        pytest.param(None, None, None, True, id="default"),
        pytest.param(True, "/env/ca.pem", None, True, id="argument-true"),
    ],
)
def test_verify_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    arg: bool | str | None,
    env: str | None,
    profile: str | None,
    expected: bool | str,
) -> None:
    if env is not None:
        monkeypatch.setenv("AWS_CA_BUNDLE", env)
    if profile is not None:
        write_config(home, f"[default]\nca_bundle = {profile}\n")
    assert resolve_config("us-east-1", verify=arg).verify == expected


@pytest.mark.parametrize("value", [1, "", b"/ca.pem"])
def test_bad_verify(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="verify="):
        resolve_config("us-east-1", verify=value)


@pytest.mark.parametrize(
    ("env", "endpoint", "expected"),
    [
        pytest.param({}, None, {}, id="none"),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example.com:3128"},
            None,
            {"https": "http://proxy.example.com:3128"},
            id="HTTPS_PROXY",
        ),
        pytest.param(
            {"https_proxy": "http://proxy.example.com:3128"},
            None,
            {"https": "http://proxy.example.com:3128"},
            id="lower-case",
        ),
        pytest.param(
            {"HTTP_PROXY": "http://p1.example.com", "HTTPS_PROXY": "http://p2.example.com"},
            None,
            {"http": "http://p1.example.com", "https": "http://p2.example.com"},
            id="both",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example.com", "NO_PROXY": "amazonaws.com"},
            None,
            {},
            id="NO_PROXY-suffix",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example.com", "NO_PROXY": "*"},
            None,
            {},
            id="NO_PROXY-star",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example.com", "NO_PROXY": "other.example.com"},
            None,
            {"https": "http://proxy.example.com", "no": "other.example.com"},
            id="NO_PROXY-other-host",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://proxy.example.com", "NO_PROXY": "localhost"},
            "http://localhost:4566",
            {},
            id="NO_PROXY-local-endpoint",
        ),
    ],
)
def test_proxies_as_botocore(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    endpoint: str | None,
    expected: dict[str, str],
) -> None:
    setenv(monkeypatch, env)
    config = resolve_config("us-east-1", endpoint_url=endpoint)
    assert dict(config.proxies) == expected
    assert dict(config.proxies) == botocore.utils.get_environ_proxies(config.endpoint_url)


def test_proxy_credentials_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:s3cr3t-pass@proxy.example.com:3128")
    config = resolve_config("us-east-1")
    assert config.proxies["https"].endswith("@proxy.example.com:3128")
    assert "s3cr3t-pass" not in repr(config)


def test_proxies_config_from_profile(home: Path) -> None:
    assert resolve_config("us-east-1").proxies_config == {}
    write_config(
        home,
        """\
        [default]
        proxy_ca_bundle = /proxy/ca.pem
        proxy_client_cert = /proxy/client.pem
        proxy_use_forwarding_for_https = true
        """,
    )
    assert dict(resolve_config("us-east-1").proxies_config) == {
        "proxy_ca_bundle": "/proxy/ca.pem",
        "proxy_client_cert": "/proxy/client.pem",
        "proxy_use_forwarding_for_https": True,
    }


def test_user_agent() -> None:
    import platform

    agent = resolve_config("us-east-1").user_agent
    expected = (
        f"ssm-engagements/{__import__('ssm_engagements').__version__} "
        f"botocore/{botocore.__version__} Python/{platform.python_version()} "
        f"{platform.system()}/{platform.release()}"
    )
    assert agent == expected
    extra = resolve_config("us-east-1", user_agent_extra="my-app/1.2 team/x").user_agent
    assert extra == expected + " my-app/1.2 team/x"


@pytest.mark.parametrize("extra", ["a\r\nX-Injected: 1", "tab\tbad", "nul\x00"])
def test_user_agent_extra_without_control_characters(extra: str) -> None:
    with pytest.raises(ConfigurationError, match="user_agent_extra="):
        resolve_config("us-east-1", user_agent_extra=extra)


def test_client_config_is_frozen() -> None:
    config = resolve_config("us-east-1")
    assert isinstance(config, ClientConfig)
    with pytest.raises(AttributeError):
        config.region_name = "eu-west-1"  # type: ignore[misc]


# --- the shared, lazy session ------------------------------------------------------------------


def test_no_session_is_created_without_config_files() -> None:
    holder = lazy_session()
    resolve_config("us-east-1", session_factory=holder)
    assert not holder.created


def test_session_is_created_once_and_shared(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, "[default]\nregion = eu-west-2\n")
    write_credentials(
        home, f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )
    created: list[object] = []
    real = botocore.session.Session

    def counting(*args: Any, **kwargs: Any) -> botocore.session.Session:
        session = real(*args, **kwargs)
        created.append(session)
        return session

    monkeypatch.setattr(botocore.session, "Session", counting)
    holder = lazy_session()
    assert resolve_config(session_factory=holder).region_name == "eu-west-2"
    source = CredentialSource(None, holder)
    assert source.get().access_key == ACCESS_KEY
    assert len(created) == 1
    assert holder() is created[0]


def test_session_factory_overrides_session_arguments(home: Path) -> None:
    write_config(home, "[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n")
    holder = SessionHolder(profile_name="a")
    config = resolve_config(profile_name="b", session_factory=holder)
    assert config.region_name == "eu-west-1"


def test_holder_accepts_boto3_session() -> None:
    boto3 = pytest.importorskip("boto3")
    session = boto3.Session(region_name="eu-west-3")
    assert SessionHolder(session)() is session._session


# --- credentials -------------------------------------------------------------------------------


def env_credentials(monkeypatch: pytest.MonkeyPatch, suffix: str = "ENV") -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY + suffix)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)


def file_credentials(home: Path) -> None:
    write_credentials(
        home,
        f"""\
        [default]
        aws_access_key_id = {ACCESS_KEY}FILE
        aws_secret_access_key = {SECRET_KEY}
        [work]
        aws_access_key_id = {ACCESS_KEY}WORK
        aws_secret_access_key = {SECRET_KEY}
        """,
    )


@pytest.mark.parametrize(
    ("explicit", "env", "file", "profile_name", "expected"),
    [
        pytest.param(True, True, True, None, ACCESS_KEY + "ARG", id="argument-wins"),
        pytest.param(False, True, True, None, ACCESS_KEY + "ENV", id="env-over-file"),
        pytest.param(False, False, True, None, ACCESS_KEY + "FILE", id="shared-file"),
        pytest.param(False, False, True, "work", ACCESS_KEY + "WORK", id="named-profile"),
    ],
)
def test_credentials_precedence(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    explicit: bool,
    env: bool,
    file: bool,
    profile_name: str | None,
    expected: str,
) -> None:
    if env:
        env_credentials(monkeypatch)
    if file:
        file_credentials(home)
    given = botocore.credentials.Credentials(ACCESS_KEY + "ARG", SECRET_KEY) if explicit else None
    frozen = CredentialSource(given, lazy_session(profile_name=profile_name)).get()
    assert isinstance(frozen, botocore.credentials.ReadOnlyCredentials)
    assert frozen.access_key == expected
    assert frozen.secret_key == SECRET_KEY
    assert frozen.token == (TOKEN if env and not explicit else None)


def test_explicit_credentials_never_touch_the_session() -> None:
    def no_session() -> botocore.session.Session:
        raise AssertionError("the session must not be created")

    given = botocore.credentials.ReadOnlyCredentials(ACCESS_KEY, SECRET_KEY, TOKEN)
    assert CredentialSource(given, no_session).get() == given


def test_aws_profile_selects_credentials(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file_credentials(home)
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert CredentialSource(None, lazy_session()).get().access_key == ACCESS_KEY + "WORK"


def test_boto3_session_credentials() -> None:
    boto3 = pytest.importorskip("boto3")
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    assert CredentialSource(None, lazy_session(session)).get().access_key == ACCESS_KEY


def test_no_credentials(home: Path) -> None:
    source = CredentialSource(None, lazy_session())
    with pytest.raises(NoCredentialsError) as info:
        source.get()
    assert isinstance(info.value, ConfigurationError)
    message = str(info.value)
    for hint in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "credentials file",
        "sso",
        "profile",
    ):
        assert hint in message
    assert "resolved=False" in repr(source)


def test_credentials_found_later_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # A failed lookup is not cached: credentials set afterwards are found.
    source = CredentialSource(None, lazy_session())
    with pytest.raises(NoCredentialsError):
        source.get()
    env_credentials(monkeypatch)
    assert source.get().access_key == ACCESS_KEY + "ENV"


def test_partial_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    with pytest.raises(NoCredentialsError) as info:
        CredentialSource(None, lazy_session()).get()
    assert SECRET_KEY not in str(info.value)


def test_empty_explicit_credentials() -> None:
    given = botocore.credentials.Credentials("", "")
    with pytest.raises(NoCredentialsError):
        CredentialSource(given, lazy_session()).get()


def test_bad_credentials_type_is_refused_without_echo() -> None:
    with pytest.raises(ConfigurationError, match="credentials=") as info:
        CredentialSource({"secret": SECRET_KEY}, lazy_session())
    assert SECRET_KEY not in str(info.value)


def _refreshable(
    expiry: datetime.datetime, calls: list[int], fail: bool = False
) -> botocore.credentials.RefreshableCredentials:
    def refresh() -> dict[str, str]:
        calls.append(1)
        if fail:
            raise botocore.exceptions.CredentialRetrievalError(provider="test", error_msg="down")
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        return {
            "access_key": f"{ACCESS_KEY}R{len(calls)}",
            "secret_key": SECRET_KEY,
            "token": TOKEN,
            "expiry_time": later.isoformat(),
        }

    return botocore.credentials.RefreshableCredentials.create_from_metadata(
        metadata={
            "access_key": ACCESS_KEY + "OLD",
            "secret_key": SECRET_KEY,
            "token": TOKEN,
            "expiry_time": expiry.isoformat(),
        },
        refresh_using=refresh,
        method="test-refresh",
    )


@pytest.mark.parametrize(
    ("expires_in", "refreshed"),
    [
        pytest.param(datetime.timedelta(minutes=-5), True, id="expired"),
        pytest.param(datetime.timedelta(minutes=2), True, id="about-to-expire"),
        pytest.param(datetime.timedelta(hours=2), False, id="fresh"),
    ],
)
def test_refreshable_credentials_are_refreshed(
    expires_in: datetime.timedelta, refreshed: bool
) -> None:
    calls: list[int] = []
    expiry = datetime.datetime.now(datetime.timezone.utc) + expires_in
    source = CredentialSource(_refreshable(expiry, calls), lazy_session())
    frozen = source.get()
    assert (len(calls) == 1) is refreshed
    assert frozen.access_key == (ACCESS_KEY + "R1" if refreshed else ACCESS_KEY + "OLD")
    source.get()  # now fresh: not refreshed again
    assert len(calls) == (1 if refreshed else 0)


def test_failed_refresh_is_no_credentials_error() -> None:
    calls: list[int] = []
    expired = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    source = CredentialSource(_refreshable(expired, calls, fail=True), lazy_session())
    with pytest.raises(NoCredentialsError, match="refresh") as info:
        source.get()
    assert calls
    assert SECRET_KEY not in str(info.value)
    assert TOKEN not in str(info.value)


def test_credentials_resolved_once_across_threads() -> None:
    lookups: list[int] = []

    class SlowSession:
        def get_credentials(self) -> botocore.credentials.Credentials:
            lookups.append(1)
            time.sleep(0.05)
            return botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)

    session: Any = SlowSession()
    source = CredentialSource(None, lambda: session)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(source.get().access_key)) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [ACCESS_KEY] * 16
    assert len(lookups) == 1


@pytest.mark.parametrize("explicit", [True, False])
def test_repr_has_no_secrets(monkeypatch: pytest.MonkeyPatch, explicit: bool) -> None:
    env_credentials(monkeypatch)
    given = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY, TOKEN) if explicit else None
    source = CredentialSource(given, lazy_session())
    source.get()
    text = repr(source)
    assert SECRET_KEY not in text
    assert TOKEN not in text
    assert ACCESS_KEY not in text
    assert "resolved=True" in text
    assert ("argument" in text) is explicit
    if not explicit:
        assert "env" in text


# --- both clients' constructors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "No AWS region configured"),
        ({"region_name": "us-east-1", "max_attempts": 0}, "max_attempts"),
        ({"region_name": "us-east-1", "max_backoff": -1}, "max_backoff"),
        ({"region_name": "us-east-1", "max_pool_connections": 0}, "max_pool_connections"),
        ({"region_name": "us-east-1", "max_pool_connections": True}, "max_pool_connections"),
        ({"region_name": "us-east-1", "retry_mode": "turbo"}, "'standard', 'adaptive'"),
        ({"region_name": "us-east-1", "endpoint_url": "http://example.com"}, "allow_insecure"),
    ],
)
def test_both_clients_refuse_bad_settings_at_construction(
    client_kind: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        clients.make(client_kind, **kwargs)


def test_both_clients_resolve_the_same_settings(
    client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setenv(monkeypatch, {"AWS_REGION": "eu-west-3", "AWS_RETRY_MODE": "legacy"})
    client = clients.make(client_kind, max_pool_connections=32)
    assert client.region_name == "eu-west-3"
    assert client.endpoint_url == "https://ssm-contacts.eu-west-3.amazonaws.com"
    assert client._config.retry_mode == "standard"
    assert client._config.max_pool_connections == 32
    assert repr(client).endswith(
        "(region_name='eu-west-3', endpoint_url='https://ssm-contacts.eu-west-3.amazonaws.com')"
    )
