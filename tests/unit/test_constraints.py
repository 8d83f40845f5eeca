"""The hard-coded service constraints match botocore's ssm-contacts model (drift check)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from ssm_engagements import _constraints as c
from ssm_engagements import _protocol


@pytest.fixture(scope="module")
def model() -> Any:
    return botocore.session.get_session().get_service_model("ssm-contacts")


def test_operation_and_protocol(model: Any) -> None:
    meta = model.metadata
    assert meta["protocol"] == "json"
    assert meta["jsonVersion"] == "1.1"
    assert f"application/x-amz-json-{meta['jsonVersion']}" == c.CONTENT_TYPE
    assert f"{meta['targetPrefix']}.{c.OPERATION}" == c.TARGET
    assert meta["signingName"] == c.SIGNING_NAME
    assert meta["endpointPrefix"] == c.ENDPOINT_PREFIX


def test_input_limits(model: Any) -> None:
    members = model.operation_model(c.OPERATION).input_shape.members
    assert set(members) == {"IncidentId", "MaxResults", "NextToken", "TimeRangeValue"}
    assert members["MaxResults"].metadata == {"min": c.MAX_RESULTS_MIN, "max": c.MAX_RESULTS_MAX}
    assert members["IncidentId"].metadata == {
        "max": c.INCIDENT_ID_MAX_LEN,
        "pattern": c.INCIDENT_ID_PATTERN,
    }
    assert members["NextToken"].metadata == {
        "max": c.NEXT_TOKEN_MAX_LEN,
        "pattern": c.NEXT_TOKEN_PATTERN,
    }
    assert set(members["TimeRangeValue"].members) == {"StartTime", "EndTime"}


def test_output_shape(model: Any) -> None:
    output = model.operation_model(c.OPERATION).output_shape
    assert tuple(output.required_members) == c.RESPONSE_REQUIRED
    assert output.members["NextToken"].metadata["pattern"] == c.NEXT_TOKEN_PATTERN
    engagement = output.members["Engagements"].member
    assert tuple(engagement.required_members) == c.ENGAGEMENT_REQUIRED
    assert set(engagement.members) == {
        "EngagementArn", "ContactArn", "Sender", "IncidentId", "StartTime", "StopTime",
    }  # fmt: skip
    assert {n for n, s in engagement.members.items() if s.type_name == "timestamp"} == {
        "StartTime", "StopTime",
    }  # fmt: skip


def test_modeled_errors_have_classes_and_members(model: Any) -> None:
    errors = {e.name: e for e in model.operation_model(c.OPERATION).error_shapes}
    assert set(errors) == set(c.MODELED_ERRORS) == set(_protocol._ERROR_CLASSES)
    assert set(errors["ThrottlingException"].members) == {
        "Message", "QuotaCode", "ServiceCode", "RetryAfterSeconds",
    }  # fmt: skip
    assert set(errors["InternalServerException"].members) == {"Message", "RetryAfterSeconds"}
    assert set(errors["ValidationException"].members) == {"Message", "Reason", "Fields"}
    field = errors["ValidationException"].members["Fields"].member
    assert set(field.members) == {"Name", "Message"}
