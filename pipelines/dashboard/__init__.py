"""The dashboard's logic; notebooks/dashboard.py only lays it out.

- queries: one read-only query per mart view, as polars DataFrames; DatabaseBusy and
  friends when the DuckDB file cannot be read.
- charts: Vega-Lite charts (altair) and display tables for those frames.
- static_report: the same as one self-contained HTML file (`write_report`).
"""
