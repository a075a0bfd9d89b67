"""The hub as an ASGI application for a process manager running several workers:
`uvicorn hub.asgi:app --workers 4 --http hub.serving:GuardedH11Protocol`, with the database
in HUB_DB (the protocol bounds connections and request heads as `mediation-hub serve` does,
with its defaults)."""

from __future__ import annotations

from hub.api import create_app
from hub.serving import write_running_out_once_a_minute
from hub.store import default_db_url

app = create_app(default_db_url())

# After uvicorn has set up its logging in this worker: it tells of running out of files or
# connections once a minute (serving.GuardedH11Protocol, named by `--http`, bounds them).
write_running_out_once_a_minute()
