"""`python -m reports.bench`: how fast are the annual figures at a million contacts a year?

Fills a scratch PostgreSQL database with a generated year (generate.py, COPY), then times
the aggregate rebuild of the year and of one busy day, the annual JSON from the aggregates,
the naive ORM computation over the raw rows, and the same figures computed by DuckDB over
a Parquet export of the raw rows (columnar.py); see run.py. Before the million, years of
100k and 300k contacts are generated and rebuilt as often as the million (does the rebuild
grow linearly?). Each size's first rebuild writes into empty aggregates (every row
inserted), the next ones over their own rows (only differences written); the figures are
medians, the first runs are reported apart (`rebuild_scaling_into_empty_s`).
The last line printed is one JSON object with the medians and the ratios of issue 12
(`rebuild_vs_duckdb`, `day_vs_rebuild`). Needs the `bench` extra (`pip install ".[dev,bench]"`).
"""
