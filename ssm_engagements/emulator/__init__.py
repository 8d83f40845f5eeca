"""A local SSM Contacts (ListEngagements) endpoint for tests: ``Emulator``.

It needs no network or AWS account and checks clients independently of this SDK:
it verifies SigV4 with botocore and writes its JSON by hand. See ``Emulator``.
Importing it does not import the SDK's client.
"""

from ._emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator
from ._faults import FAULTS
from ._service import RecordedRequest

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_SECRET_ACCESS_KEY",
    "FAULTS",
    "Emulator",
    "RecordedRequest",
]
