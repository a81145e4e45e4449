"""The insights report (``python -m enquiries report``; see insights/report.py).

* ``report``: builds the report for a period: the HTML page and the CSV.
* ``period``: the days a report covers, in UK time.
* ``sql``: the one SQL difference between SQLite and PostgreSQL, and a
  snapshot of the period's events in temporary tables.
* ``queries``: every figure, counted in the database.
* ``suppress``: counts from 1 to 4 become "fewer than 5".
* ``tables``: the figures as captioned tables (UK time, office hours, labels).
* ``charts``: the tables as inline SVG charts (matplotlib).
* ``page``, ``csvfile``: the self-contained HTML page and the CSV.
* ``review``, ``names``: the "not understood" review list and its YAML export.
* ``synthetic``, ``synthetic_store``: synthetic conversations for tests and timing.
"""
