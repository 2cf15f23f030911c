"""`make bench-roster`: the roster solver and the demand forecast on seeded generated data.

Pure Python (no database): for S (15 staff × 2 weeks), M (50 staff × 4 weeks × 5 sites ×
phone/chat/e-mail) and L (200 staff × 4 weeks) the greedy baseline and CP-SAT, seconds to
the first full-coverage roster and to the final one, unmet headcount-hours and the gap; then
the forecast's backtest WAPE against the seasonal-naive one. The last line is one JSON
object. Run: python -m staffing.bench_roster [--seconds-m 20] [--seconds-l 60]."""

import argparse
import json
import os
import sys
from datetime import date

from staffing.demand.forecast import backtest, forecast_choose
from staffing.demand.generate import arrivals_generate
from staffing.solver import greedy_propose, instance_parse, roster_solve, violations
from staffing.solver.generate import SIZES, instance_generate

HOLIDAYS = {date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14)}


def _run(size: str, seconds: float, seed: int) -> dict:
    instance = instance_parse(instance_generate(seed=seed, **SIZES[size]))
    required = sum(s.required * s.minutes for s in instance.shifts) / 60
    greedy = greedy_propose(instance)
    result = roster_solve(instance, seconds=seconds, workers=2)
    pairs = [(a["staff"], a["shift"]) for a in result["assignments"]]
    broken = violations(instance, pairs)
    row = {
        "size": size,
        "staff": len(instance.staff),
        "shifts": len(instance.shifts),
        "required_hours": round(required, 1),
        "first_full_s": result["first_full_s"],
        "final_s": result["seconds"],
        "unmet_hours": result["unmet_hours"],
        "gap": result["gap"],
        "status": result["status"],
        "greedy_s": greedy["seconds"],
        "greedy_unmet_hours": greedy["unmet_hours"],
        "rules_broken": len(broken),
    }
    print(json.dumps(row), flush=True)
    return row


def _forecast(seed: int) -> tuple[float, float]:
    """WAPE of the chosen method and of the seasonal-naive one, arrivals-weighted over phone
    and chat, on 20 generated weeks with holidays."""
    totals = {"chosen": 0.0, "naive": 0.0}
    weight_sum = 0.0
    for channel, per_hour in (("phone", 6.0), ("chat", 3.0)):
        history = arrivals_generate(
            channel=channel, weeks=20, seed=seed, per_hour=per_hour, holidays=HOLIDAYS
        )
        method, scores = forecast_choose(history, weeks=8)
        weight = sum(history.values())
        totals["chosen"] += scores[method] * weight
        totals["naive"] += backtest(history, method="naive") * weight
        weight_sum += weight
        print(json.dumps({"channel": channel, "method": method, **scores}), flush=True)
    return totals["chosen"] / weight_sum, totals["naive"] / weight_sum


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-s", type=float, default=10)
    parser.add_argument("--seconds-m", type=float, default=20)
    parser.add_argument("--seconds-l", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}, load: {os.getloadavg()}", flush=True)
    _run("S", options.seconds_s, options.seed)
    m = _run("M", options.seconds_m, options.seed)
    big = _run("L", options.seconds_l, options.seed)
    forecast_wape, naive_wape = _forecast(options.seed)
    summary = {
        "m_first_full_s": m["first_full_s"],
        "m_final_s": m["final_s"],
        "m_unmet_hours": m["unmet_hours"],
        "m_gap": m["gap"],
        "m_greedy_unmet_hours": m["greedy_unmet_hours"],
        "l_final_s": big["final_s"],
        "l_unmet_hours": big["unmet_hours"],
        "l_gap": big["gap"],
        "forecast_wape": round(forecast_wape, 4),
        "naive_wape": round(naive_wape, 4),
    }
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
