"""The readiness report: a self-contained HTML page with a heat map, charts and a trend.

The modules split the work so that each part can be tested alone:

- ``data``: the pure data behind the page (headline, heat-map cells, counts, links, to-dos);
- ``history``: the JSON Lines trend file (read, one summary per run, append) and the git commit;
- ``svg``: the charts, drawn as inline SVG in Python;
- ``html``: the Jinja2 template (the only module that imports Jinja2; the ``check`` path never
  imports this package).
"""
