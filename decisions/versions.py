"""Versions: the versions of one policy a mailbox keeps, and which one is in force when.

A request is decided under the version in force at its server receipt time: the latest
version whose `effective_date` is on or before the receipt's local date (in that
version's zone). A request received before every version's date falls under the
earliest one. A new version therefore never changes what was decided before it: even a
customer's later reply is decided again under the version its request was received in.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from decisions.policy import Policy, PolicyError
from decisions.windows import local_date


@dataclass(frozen=True)
class PolicyVersions:
    """The versions of one policy, oldest first; at least one."""

    versions: tuple[Policy, ...]

    @classmethod
    def of(cls, policies: Iterable[Policy], source: str = "policy") -> "PolicyVersions":
        """Check that the versions belong together: one name, distinct versions and dates."""
        ordered = tuple(sorted(policies, key=lambda policy: policy.effective_date))
        if not ordered:
            raise PolicyError([f"{source}: no policy version"])
        errors = []
        names = sorted({policy.name for policy in ordered})
        if len(names) > 1:
            errors.append(f"{source}: versions of one policy must share its name, found {', '.join(names)}")
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_date == later.effective_date:
                errors.append(
                    f"{source}: versions {earlier.version!r} and {later.version!r} take effect "
                    f"on the same date, {later.effective_date.isoformat()}"
                )
        if len({policy.version for policy in ordered}) != len(ordered):
            errors.append(f"{source}: two files carry the same version")
        if errors:
            raise PolicyError(errors)
        return cls(ordered)

    @property
    def latest(self) -> Policy:
        return self.versions[-1]

    def in_force(self, received_at: datetime) -> Policy:
        """The version in force at the server receipt time."""
        chosen = self.versions[0]
        for policy in self.versions[1:]:
            if local_date(received_at, ZoneInfo(policy.timezone)) >= policy.effective_date:
                chosen = policy
        return chosen

    def named(self, version: str) -> Policy | None:
        return next((policy for policy in self.versions if policy.version == version), None)
