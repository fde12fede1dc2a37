"""The operator console at ``/console/``: server-rendered pages with htmx.

Not a Django app of its own: it only translates HTTP into calls of the same services
the API faces use (``templates_app.services``, ``orchestration.services``), scoped to
the tenant chosen in the session (:mod:`orchestration.console.selection`).
"""
