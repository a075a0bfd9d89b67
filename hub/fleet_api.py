"""The hub's routes for the rooms' staff and for fleet health: the kiosks' audit log,
calls for help and log uploads; and the fleet page of the web console.

The console's fleet pages all depend on `console_access`: a supervisor logged in to the
hub's console (`mediation-hub add-staff NAME --role supervisor`, then /console/login).
"""

from __future__ import annotations

import html
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub import alerts, fleet
from hub.accounts import StaffMember, current_staff
from hub.alerts import AuditRecord, HelpCall, KioskLog
from hub.problems import ProblemError, documented
from hub.store import Device, Room, utcnow
from hub.studio_web import render
from protocol.wire import (
    API_PREFIX,
    ROW_ID_MAX,
    AuditBatch,
    AuditReceived,
    HelpRequest,
    HelpRequestReceived,
    LogReceived,
    LogUpload,
)

_bearer = HTTPBearer(auto_error=False, description="The kiosk's credential from enrollment")
#: Calls for help older than this no longer show as waiting on the fleet page.
HELP_SHOWN_HOURS = 12


#: The one gate to the fleet pages: a supervisor's console login.
console_access = current_staff(required_role="supervisor")

Staff = Annotated[StaffMember, Depends(console_access)]


def _kiosk(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    """The kiosk the request's credential names (401/403 otherwise)."""
    authorization = f"Bearer {credentials.credentials}" if credentials is not None else None
    with request.app.state.sessions() as opened:
        device: Device = fleet.device_for(opened, authorization)
        return device


Kiosk = Annotated[Device, Depends(_kiosk)]


def staff_routes(sessions: sessionmaker[Session]) -> APIRouter:
    """The kiosks' staff endpoints and the console's fleet page, on one router."""
    router = APIRouter()
    auth = documented(401, 403, 422, 500)

    @router.post(f"{API_PREFIX}/audit", responses=auth)
    def audit(batch: AuditBatch, device: Kiosk) -> AuditReceived:
        """The kiosk's audit log: what its attendants and technicians did (each entry once)."""
        now = utcnow()
        with sessions.begin() as db:
            known = set(
                db.scalars(
                    select(AuditRecord.uuid).where(
                        AuditRecord.uuid.in_([e.uuid for e in batch.entries])
                    )
                )
            )
            for entry in batch.entries:
                if entry.uuid in known:
                    continue
                known.add(entry.uuid)
                db.add(
                    AuditRecord(
                        uuid=entry.uuid,
                        device_id=device.id,
                        at=entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=now.tzinfo),
                        role=entry.role,
                        action=entry.action,
                        detail=entry.detail,
                        received_at=now,
                    )
                )
        return AuditReceived(received=len(batch.entries))

    @router.post(f"{API_PREFIX}/help-requests", responses=auth)
    def help_request(request: HelpRequest, device: Kiosk) -> HelpRequestReceived:
        """A consumer at the kiosk called for help (each call once, however often sent)."""
        now = utcnow()
        with sessions.begin() as db:
            found = db.get(HelpCall, request.uuid)
            if found is None:
                asked = request.asked_at
                found = HelpCall(
                    uuid=request.uuid,
                    device_id=device.id,
                    asked_at=asked if asked.tzinfo else asked.replace(tzinfo=now.tzinfo),
                    received_at=now,
                )
                db.add(found)
            return HelpRequestReceived(uuid=found.uuid, received_at=found.received_at)

    @router.post(f"{API_PREFIX}/logs", status_code=201, responses=auth)
    def upload_log(upload: LogUpload, device: Kiosk) -> LogReceived:
        """The kiosk's log, sent by its technician."""
        with sessions.begin() as db:
            record = KioskLog(device_id=device.id, text=upload.text, received_at=utcnow())
            db.add(record)
            db.flush()
            return LogReceived(id=record.id, lines=len(upload.text.splitlines()))

    @router.get("/console/fleet.json", include_in_schema=False)
    def fleet_json(_staff: Staff) -> dict[str, Any]:
        """Every room and kiosk: online, devices, backlog, version, last visit, alerts."""
        with sessions.begin() as db:
            return fleet_view(db)

    @router.get("/console/fleet/logs/{log_id}", include_in_schema=False)
    def kiosk_log(
        log_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], _staff: Staff
    ) -> PlainTextResponse:
        """A log a kiosk's technician uploaded, as plain text."""
        with sessions.begin() as db:
            record = db.get(KioskLog, log_id)
            if record is None:
                raise ProblemError(404, "log-unknown", "No such log", f"No log {log_id}.")
            return PlainTextResponse(record.text)

    @router.get("/console/fleet", response_class=HTMLResponse, include_in_schema=False)
    def fleet_page(request: Request, staff: Staff) -> HTMLResponse:
        """The fleet page, in the studio's layout (its navigation, its log-out)."""
        with sessions.begin() as db:
            view = fleet_view(db)
        return render(
            request,
            staff,
            "fleet.html",
            generated=_when(view["generated_at"]),
            rooms=Markup(render_fleet(view)),  # each value escaped as it is put in
        )

    return router


def fleet_view(db: Session) -> dict[str, Any]:
    """The fleet as the console shows it: rooms, each with its kiosks."""
    rows = fleet.list_devices(db)
    since = utcnow().timestamp() - HELP_SHOWN_HOURS * 3600
    helps: dict[str, list[str]] = {}
    for call in db.scalars(select(HelpCall).order_by(HelpCall.asked_at.desc()).limit(200)):
        if call.asked_at.timestamp() >= since:
            helps.setdefault(call.device_id, []).append(call.asked_at.isoformat(timespec="seconds"))
    rooms: dict[str, dict[str, Any]] = {}
    for room in db.scalars(select(Room).order_by(Room.id)):
        rooms[room.name] = {"room": room.name, "code": room.code, "kiosks": []}
    for row in rows:
        kiosk = asdict(row) | {"help_requests": helps.get(row.device, [])}
        kiosk["history"] = alerts.history(db, row.device, limit=10)
        kiosk["staff_actions"] = [
            {"at": a.at.isoformat(timespec="seconds"), "role": a.role, "action": a.action}
            | {"detail": a.detail}
            for a in db.scalars(
                select(AuditRecord)
                .where(AuditRecord.device_id == row.device)
                .order_by(AuditRecord.at.desc())
                .limit(10)
            )
        ]
        kiosk["logs"] = [
            {"id": log.id, "received_at": log.received_at.isoformat(timespec="seconds")}
            for log in db.scalars(
                select(KioskLog)
                .where(KioskLog.device_id == row.device)
                .order_by(KioskLog.id.desc())
                .limit(5)
            )
        ]
        rooms.setdefault(row.room, {"room": row.room, "code": "", "kiosks": []})["kiosks"].append(
            kiosk
        )
    return {"generated_at": utcnow().isoformat(timespec="seconds"), "rooms": list(rooms.values())}


def _when(iso: str | None) -> str:
    """A time as the page shows it: date, hours and minutes (UTC, as the page says)."""
    return iso[:16].replace("T", " ") if iso else ""


def _cell(text: object) -> str:
    return f"<td>{html.escape(str(text))}</td>"


def render_fleet(view: dict[str, Any]) -> str:
    """The fleet's rooms as HTML: a table per room, a row per kiosk."""
    parts = []
    for room in view["rooms"]:
        parts.append(f"<h2>{html.escape(room['room'])} ({html.escape(room['code'] or '')})</h2>")
        if not room["kiosks"]:
            parts.append("<p>尚无自助机 No kiosk enrolled yet.</p>")
            continue
        parts.append(
            "<table><tr><th>自助机 Kiosk</th><th>在线 Online</th><th>设备 Devices</th>"
            "<th>待发送 Outbox</th><th>版本 Version</th><th>上次使用 Last visit</th>"
            "<th>最后联系 Last seen</th><th>警报 Open alerts</th>"
            "<th>求助 Calls for help</th><th>最近操作 Staff actions</th>"
            "<th>日志 Logs</th></tr>"
        )
        for kiosk in room["kiosks"]:
            online = (
                '<td class="good">在线 online</td>'
                if kiosk["online"]
                else '<td class="bad">离线 offline</td>'
            )
            devices = ", ".join(
                f"{name}: {health.get('state')}" for name, health in kiosk["health"].items()
            )
            opened = "; ".join(
                f"{a['detail']} (since {_when(a['opened_at'])})"
                if a["kind"] == alerts.DEVICE_FAILED
                else f"silent: {a['detail']}"
                for a in kiosk["alerts"]
            )
            alert_cell = f'<td class="bad">{html.escape(opened)}</td>' if opened else _cell("-")
            helps = ", ".join(_when(asked) for asked in kiosk["help_requests"])
            help_cell = f'<td class="bad">{html.escape(helps)}</td>' if helps else _cell("-")
            parts.append(
                "<tr>"
                + _cell(f"{kiosk['device']} ({kiosk['state']})")
                + online
                + _cell(devices or "-")
                + _cell(kiosk["outbox_pending"])
                + _cell(kiosk["kiosk_version"] or "-")
                + _cell(_when(kiosk["last_visit_at"]) or "never")
                + _cell(_when(kiosk["last_seen_at"]) or "never")
                + alert_cell
                + help_cell
                + _cell(
                    "; ".join(
                        f"{_when(a['at'])} {a['role']} {a['action']}"
                        for a in kiosk["staff_actions"][:3]
                    )
                    or "-"
                )
                + "<td>"
                + (
                    " ".join(
                        f'<a href="/console/fleet/logs/{log["id"]}">'
                        f"{html.escape(_when(log['received_at']))}</a>"
                        for log in kiosk["logs"]
                    )
                    or "-"
                )
                + "</td>"
                + "</tr>"
            )
        parts.append("</table>")
    return "\n".join(parts)
