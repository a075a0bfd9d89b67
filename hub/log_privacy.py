"""What the hub's server logs never keep: the merchant's one-time link (`invite=`), and the
receipt numbers that open a case's mediation, which arrive in request paths and queries
(`/status/{number}`, `/v1/cases/{number}`) that uvicorn writes as they came."""

from __future__ import annotations

import logging
import re

from protocol.wire import RECEIPT_PATTERN

_SECRETS = re.compile(
    r"(?P<key>\binvite=)[^&\s\"']+"
    r"|(?P<receipt>" + RECEIPT_PATTERN.strip("^$") + r")(?![0-9])",
    re.IGNORECASE,
)
#: uvicorn's own loggers: requests (access) and WebSocket openings (error, at INFO).
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    """The text with invite tokens and receipt numbers replaced by a mark."""
    return _SECRETS.sub(
        lambda found: f"{found['key']}[hidden]" if found["key"] else "[receipt]", text
    )


class HideSecrets(logging.Filter):
    """Rewrites each record's message without its secrets (every handler sees it so)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


def hide_secrets_in_server_logs() -> None:
    """Put the filter on uvicorn's loggers, once however many apps this process makes."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideSecrets) for f in logger.filters):
            logger.addFilter(HideSecrets())
