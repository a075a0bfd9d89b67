"""The kiosk's place in the fleet: its credential from enrollment, and its room's settings.

Both live in the data directory, readable by the kiosk's user alone (0600 files in a 0700
folder). The credential is the kiosk's secret: it is never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.paths import write_private_json

if TYPE_CHECKING:  # the wire schema and the network stack load when first needed
    from kiosk.hub_client import HubClient
    from protocol.wire import RoomSettings

CREDENTIAL_NAME = "credential.json"
ROOM_NAME = "room.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Credential:
    """Who this kiosk is to the hub, and where the hub is."""

    hub_url: str
    device_id: str
    secret: str
    room_code: str
    enrolled_at: str


def load_credential(data_dir: Path) -> Credential | None:
    """The kiosk's credential, or None when it is not enrolled (or the file is damaged)."""
    path = data_dir / CREDENTIAL_NAME
    try:
        return Credential(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as error:
        log.error("the credential file %s cannot be read (%s): enroll again", path, error)
        return None


def save_credential(data_dir: Path, credential: Credential) -> None:
    """Keep the credential (0600)."""
    write_private_json(data_dir / CREDENTIAL_NAME, asdict(credential))


def load_room(data_dir: Path) -> RoomSettings | None:
    """The room's settings as last pulled from the hub, or None before the first pull."""
    path = data_dir / ROOM_NAME
    try:
        kept = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("the room settings %s cannot be read (%s); waiting for the hub", path, error)
        return None
    from pydantic import ValidationError

    from protocol.wire import RoomSettings

    try:
        return RoomSettings.model_validate_json(kept)
    except ValidationError as error:
        log.warning("the room settings %s cannot be read (%s); waiting for the hub", path, error)
        return None


def save_room(data_dir: Path, room: RoomSettings) -> None:
    """Keep the room's settings for the next start, when the hub may be away."""
    write_private_json(data_dir / ROOM_NAME, room.model_dump(mode="json"))


def enroll(data_dir: Path, client: HubClient, code: str, kiosk_version: str = "") -> Credential:
    """Enroll with a one-time code; keeps the credential and the room's settings."""
    enrolled = client.enroll(code, kiosk_version)
    credential = Credential(
        hub_url=client.base_url,
        device_id=enrolled.device_id,
        secret=enrolled.credential,
        room_code=enrolled.room.room_code,
        enrolled_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    save_credential(data_dir, credential)
    save_room(data_dir, enrolled.room)
    log.info("enrolled as %s in room %s", enrolled.device_id, enrolled.room.room_code)
    return credential
