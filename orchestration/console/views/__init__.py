"""Console views, one module per page area. Each view reads the request, calls a
service, and renders; anything that decides something lives in a service."""
