"""Erlang C for the phone and chat queues, and e-mail as workload within a deadline.

Checked against pyworkforce's ErlangC in tests/staffing/test_demand.py; our own because it
also gives the service level of a given headcount (the demand page's "expected service
level of the plan") and costs a few lines."""

import math
from dataclasses import dataclass


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival waits (Erlang C), for `traffic` Erlangs and `agents`."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = 1.0  # Erlang B by the stable recursion
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def service_level(
    arrivals: float, interval_seconds: int, aht_seconds: float, agents: int, answer_seconds: float
) -> float:
    """Share of arrivals answered within answer_seconds with `agents` on duty."""
    if arrivals <= 0:
        return 1.0
    traffic = arrivals * aht_seconds / interval_seconds
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(traffic, agents)
    return max(0.0, 1 - waiting * math.exp(-(agents - traffic) * answer_seconds / aht_seconds))


@dataclass(frozen=True)
class QueueTarget:
    service_level: float = 0.8
    answer_seconds: float = 20
    max_occupancy: float = 0.85
    shrinkage: float = 0.3


def agents_needed(
    arrivals: float, interval_seconds: int, aht_seconds: float, target: QueueTarget
) -> int:
    """Fewest agents on the line meeting the service level and the occupancy cap."""
    if arrivals <= 0:
        return 0
    traffic = arrivals * aht_seconds / interval_seconds
    agents = max(1, math.ceil(traffic / target.max_occupancy))
    while service_level(arrivals, interval_seconds, aht_seconds, agents, target.answer_seconds) < (
        target.service_level
    ):
        agents += 1
    return agents


def headcount(agents: int, shrinkage: float) -> int:
    """People to roster so that `agents` are available after shrinkage (breaks, admin)."""
    return math.ceil(agents / (1 - shrinkage)) if agents else 0


def chat_agents_needed(
    sessions: float, interval_seconds: int, session_seconds: float, concurrency: int,
    target: QueueTarget,
) -> int:  # fmt: skip
    """Chat as Erlang C where one responder handles `concurrency` sessions at once: each
    session takes 1/concurrency of a responder."""
    return agents_needed(sessions, interval_seconds, session_seconds / concurrency, target)


def email_hours_per_day(count: float, minutes_each: float) -> float:
    """E-mail workload: hours of work a day's mails bring (answered within a working day)."""
    return count * minutes_each / 60
