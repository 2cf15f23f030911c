"""The roster proposal as a pure core: Roster instance JSON in, proposal JSON out (DESIGN.md).

No Django here: the app builds the instance from the database (staffing/services/proposal.py)
and applies the output through assignment_create."""

from .cpsat import Weights, roster_solve
from .greedy import greedy_propose
from .instance import Instance, InstanceError, instance_parse
from .rules import violations


def roster_propose(
    data: dict,
    *,
    seconds: float = 30.0,
    weights: Weights | None = None,
    workers: int = 2,
    seed: int | None = None,
    gap_limit: float = 0.0,
    on_progress=None,
) -> dict:
    """Validate the instance (InstanceError when it is not one) and propose a roster."""
    instance = instance_parse(data)
    result = roster_solve(
        instance,
        seconds=seconds,
        weights=weights,
        workers=workers,
        seed=seed,
        gap_limit=gap_limit,
        on_progress=on_progress,
    )
    result.pop("first_full_s", None)
    return result


__all__ = [
    "Instance",
    "InstanceError",
    "Weights",
    "greedy_propose",
    "instance_parse",
    "roster_propose",
    "roster_solve",
    "violations",
]
