"""The hub as an ASGI application for a process manager running several workers:
`uvicorn hub.asgi:app --workers 4`, with the database in HUB_DB."""

from __future__ import annotations

from hub.api import create_app
from hub.store import default_db_url

app = create_app(default_db_url())
