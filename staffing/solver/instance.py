"""The Roster instance (DESIGN.md): parsing and validating the JSON into plain dataclasses.

Pure Python, no Django: the solver, the greedy baseline and the benchmark share it."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
KINDS = ("employee", "volunteer", "student")
CHANNELS = ("phone", "chat", "email")


class InstanceError(ValueError):
    """The instance does not follow the Roster instance format."""


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Staff:
    id: str
    site: str
    kind: str = "employee"
    contract_hours: float = 0.0
    channels: tuple[str, ...] = ()
    certified: bool = True
    max_shifts: int | None = None
    unavailable: list[Period] = field(default_factory=list)
    busy: list[Period] = field(default_factory=list)
    prefer: list[Period] = field(default_factory=list)
    avoid: list[Period] = field(default_factory=list)


@dataclass
class Shift:
    id: str
    site: str
    channel: str
    start: datetime
    end: datetime
    required: int = 1
    weight: float = 1.0

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Instance:
    first_day: date
    last_day: date
    min_rest_hours: float
    weekly_hours_margin: float
    staff: list[Staff]
    shifts: list[Shift]
    fixed: list[tuple[str, str]]

    @property
    def weeks(self) -> float:
        return ((self.last_day - self.first_day).days + 1) / 7


def _keys(obj, where: str, allowed: set[str], required: set[str] = frozenset()):
    if not isinstance(obj, dict):
        raise InstanceError(f"{where}: expected an object")
    unknown = set(obj) - allowed
    if unknown:
        raise InstanceError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    missing = set(required) - set(obj)
    if missing:
        raise InstanceError(f"{where}: missing key(s) {', '.join(sorted(missing))}")


def _instant(value, where: str) -> datetime:
    if not isinstance(value, str):
        raise InstanceError(f"{where}: expected an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InstanceError(f"{where}: not an ISO 8601 instant: {value!r}") from None
    if parsed.tzinfo is None:
        raise InstanceError(f"{where}: an instant needs an offset or Z")
    return parsed


def _day(value, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InstanceError(f"{where}: not an ISO date: {value!r}") from None


def _number(value, where: str, *, integer=False, minimum=0.0, maximum=1e6):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(f"{where}: expected a number")
    if integer and not isinstance(value, int):
        raise InstanceError(f"{where}: expected an integer")
    if not minimum <= value <= maximum:
        raise InstanceError(f"{where}: {value} is out of range")
    return value


def _id(value, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InstanceError(f"{where}: ids are non-empty strings")
    return value


def _periods(values, where: str) -> list[Period]:
    if not isinstance(values, list):
        raise InstanceError(f"{where}: expected a list")
    periods = []
    for index, value in enumerate(values):
        here = f"{where}[{index}]"
        _keys(value, here, {"start", "end"}, {"start", "end"})
        period = Period(_instant(value["start"], here + ".start"), _instant(value["end"], here))
        if period.end <= period.start:
            raise InstanceError(f"{here}: ends before it starts")
        periods.append(period)
    return periods


STAFF_KEYS = {
    "id", "site", "kind", "contract_hours", "channels", "certified", "max_shifts",
    "unavailable", "busy", "prefer", "avoid",
}  # fmt: skip
SHIFT_KEYS = {"id", "site", "channel", "start", "end", "required", "weight"}


def _staff(value, where: str) -> Staff:
    _keys(value, where, STAFF_KEYS, {"id", "site"})
    channels = value.get("channels", [])
    if not isinstance(channels, list) or any(c not in CHANNELS for c in channels):
        raise InstanceError(f"{where}.channels: a list of {', '.join(CHANNELS)}")
    kind = value.get("kind", "employee")
    if kind not in KINDS:
        raise InstanceError(f"{where}.kind: one of {', '.join(KINDS)}")
    certified = value.get("certified", True)
    if not isinstance(certified, bool):
        raise InstanceError(f"{where}.certified: true or false")
    max_shifts = value.get("max_shifts")
    if max_shifts is not None:
        max_shifts = _number(max_shifts, f"{where}.max_shifts", integer=True, maximum=10_000)
    return Staff(
        id=_id(value["id"], f"{where}.id"),
        site=_id(value["site"], f"{where}.site"),
        kind=kind,
        contract_hours=float(
            _number(value.get("contract_hours", 0), f"{where}.contract_hours", maximum=168)
        ),
        channels=tuple(channels),
        certified=certified,
        max_shifts=max_shifts,
        **{
            name: _periods(value.get(name, []), f"{where}.{name}")
            for name in ("unavailable", "busy", "prefer", "avoid")
        },
    )


def _shift(value, where: str) -> Shift:
    _keys(value, where, SHIFT_KEYS, {"id", "site", "channel", "start", "end"})
    if value["channel"] not in CHANNELS:
        raise InstanceError(f"{where}.channel: one of {', '.join(CHANNELS)}")
    shift = Shift(
        id=_id(value["id"], f"{where}.id"),
        site=_id(value["site"], f"{where}.site"),
        channel=value["channel"],
        start=_instant(value["start"], f"{where}.start"),
        end=_instant(value["end"], f"{where}.end"),
        required=_number(value.get("required", 1), f"{where}.required", integer=True, maximum=500),
        weight=float(_number(value.get("weight", 1.0), f"{where}.weight", maximum=1000)),
    )
    if shift.end <= shift.start:
        raise InstanceError(f"{where}: ends before it starts")
    if shift.end - shift.start > timedelta(hours=24):
        raise InstanceError(f"{where}: a shift lasts at most 24 hours")
    return shift


def instance_parse(data) -> Instance:
    """Validate a Roster instance (already decoded JSON) and return it as dataclasses."""
    _keys(
        data,
        "instance",
        {"period", "rules", "staff", "shifts", "fixed"},
        {"period", "staff", "shifts"},
    )
    _keys(data["period"], "period", {"start", "end"}, {"start", "end"})
    first_day = _day(data["period"]["start"], "period.start")
    last_day = _day(data["period"]["end"], "period.end")
    if last_day < first_day or (last_day - first_day).days > 366:
        raise InstanceError("period: the end lies before the start or more than a year after it")
    rules = data.get("rules", {})
    _keys(rules, "rules", {"min_rest_hours", "weekly_hours_margin"})
    if not isinstance(data["staff"], list) or not isinstance(data["shifts"], list):
        raise InstanceError("staff and shifts are lists")
    staff = [_staff(v, f"staff[{i}]") for i, v in enumerate(data["staff"])]
    shifts = [_shift(v, f"shifts[{i}]") for i, v in enumerate(data["shifts"])]
    for name, items in (("staff", staff), ("shifts", shifts)):
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids):
            raise InstanceError(f"{name}: ids must be unique")
    staff_ids, shift_ids = {s.id for s in staff}, {s.id for s in shifts}
    fixed = []
    raw_fixed = data.get("fixed", [])
    if not isinstance(raw_fixed, list):
        raise InstanceError("fixed: expected a list")
    for index, value in enumerate(raw_fixed):
        where = f"fixed[{index}]"
        _keys(value, where, {"staff", "shift"}, {"staff", "shift"})
        pair = (_id(value["staff"], where + ".staff"), _id(value["shift"], where + ".shift"))
        if pair[0] not in staff_ids or pair[1] not in shift_ids:
            raise InstanceError(f"{where}: unknown staff or shift id")
        if pair not in fixed:
            fixed.append(pair)
    return Instance(
        first_day=first_day,
        last_day=last_day,
        min_rest_hours=float(
            _number(rules.get("min_rest_hours", 11), "rules.min_rest_hours", maximum=48)
        ),
        weekly_hours_margin=float(
            _number(rules.get("weekly_hours_margin", 4), "rules.weekly_hours_margin", maximum=80)
        ),
        staff=staff,
        shifts=shifts,
        fixed=fixed,
    )
