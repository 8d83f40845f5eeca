"""The service's input and output limits, copied from botocore's ssm-contacts model.

Loading that model costs tens of milliseconds, so the numbers live here;
tests/test_constraints.py checks them against botocore so drift is caught.
"""

from __future__ import annotations

import re

OPERATION = "ListEngagements"
TARGET = "SSMContacts.ListEngagements"
SIGNING_NAME = "ssm-contacts"
ENDPOINT_PREFIX = "ssm-contacts"
CONTENT_TYPE = "application/x-amz-json-1.1"

MAX_RESULTS_MIN = 0
MAX_RESULTS_MAX = 1024

INCIDENT_ID_MAX_LEN = 1024
INCIDENT_ID_PATTERN = r"^[\\a-zA-Z0-9_@#%*+=:?.\/!\s-]*$"

NEXT_TOKEN_MAX_LEN = 2048
NEXT_TOKEN_PATTERN = r"^[\\\/a-zA-Z0-9_+=\-]*$"

# Fields the output model marks as required.
ENGAGEMENT_REQUIRED = ("EngagementArn", "ContactArn", "Sender")
RESPONSE_REQUIRED = ("Engagements",)

# The error shapes the operation documents.
MODELED_ERRORS = (
    "AccessDeniedException",
    "InternalServerException",
    "ThrottlingException",
    "ValidationException",
)

# Used with fullmatch, which keeps a trailing newline from slipping past "$". ASCII:
# the service's regexes are Java's, where \s is [ \t\n\x0B\f\r], not Unicode spaces.
INCIDENT_ID_RE = re.compile(INCIDENT_ID_PATTERN, re.ASCII)
# A region name is the DNS label of its endpoints: letters, digits, inner hyphens.
REGION_RE = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
NEXT_TOKEN_RE = re.compile(NEXT_TOKEN_PATTERN, re.ASCII)
