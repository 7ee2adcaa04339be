"""Reusable UI shared by every page, one look across the app:

- ``i18n``: ``t()`` translation function and the catalogues (``locales/``)
- ``format``: numbers, "approx." marks, percentages, dates
- ``theme``: status colours (RAG, severity, remediation), palette, chart theme, page style
- ``kpi``: KPI tiles with the change against the previous quarter
- ``charts``: charts with PNG/SVG/CSV/XLSX downloads
- ``filters``: the global sidebar filters, mirrored in the URL
- ``data``: cached reads from ``data_access`` and database start-up
- ``nav``: the page registry; ``layout``: headers, banner, empty states
"""
