"""What the rest of reports (page, exports, benchmark) calls:

- `figures.annual_figures(year, site=None, *, now=None) -> dict`: the annual figures
  (DESIGN.md "Annual figures as JSON" plus region, awareness_source, context, referral,
  caller_gender, caller_age_group, forms_of_violence, site, outside_opening_hours.attempts_scope);
  aggregates through `aggregates.aggregated_through()`, later days of the year live.
- `figures.annual_figures_direct(year, site=None) -> dict`: the same from the raw rows.
- `aggregates.aggregates_rebuild_changed(*, now=None) -> AggregateRun`: the nightly run.
- `aggregates.aggregates_rebuild_range(first_day, last_day, *, now=None) -> AggregateRun`.
- `aggregates.aggregates_rebuild(days, *, schedule=None, progress=None) -> int` and
  `aggregates.aggregates_rebuild_day(day, *, schedule=None)`: no lock, no run recorded.
- `counting.everything_count(start, end, schedule, *, site_id=None) -> Counts`: the raw count
  of an instant range, in the aggregates' keys.
- `counting.range_count(...)`: the same, tallied with numpy on PostgreSQL
  (`tally.everything_tally`), by `everything_count` elsewhere; the rebuild and the live part
  of the figures use it.
"""
