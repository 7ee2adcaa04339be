"""Reusable UI shared by every page, one look across the app:

- ``i18n``: ``t()`` translation function and the catalogues (``locales/``)
- ``format``: numbers, "approx." marks, percentages, dates
- ``theme``: status colours (RAG, severity, remediation), tints, palette, chart theme, page style
- ``kpi``: KPI tiles with the change against the previous quarter
- ``charts``: charts with PNG/SVG/CSV/XLSX downloads, cached chart specs
- ``filters``: the global sidebar filters, mirrored in the URL
- ``links``: every parameter mirrored in the address, read, checked and written in one way
- ``data``: the cached reads shared by the pages (:func:`data.reader`, each made for the acting
  person through ``data_access.scoped``) and database start-up
- ``exports``: every download of data, made on click and recorded in the audit trail
- ``outside``: the notice for what a link asks that lies outside the person's access
- ``nav``: the page registry; ``layout``: headers, banner, empty states, table heights

Each page area (``overview``, ``countries``, ``findings``, ``priorities``,
``map``, ``upload``) has the same two modules: ``data_<area>`` (its cached
reads) and ``view_<area>`` (how its figures read: wording, tables, charts);
the map area also has ``map_layers`` (the map itself).
"""
