"""`mediation-hub`: the hub's command line (the contract in DESIGN.md and README)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import sessionmaker


def parser() -> argparse.ArgumentParser:
    """The command line, with every command of the contract."""
    db_help = "the database URL (default: HUB_DB, or a SQLite file in the hub's data folder)"
    top = argparse.ArgumentParser(
        prog="mediation-hub", description="The mediation hub (central server)."
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the API and the mediator console")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="the most connections held at once (default: 8192, or fewer so that they stay "
        "below half the open-file limit); at the bound the one waiting longest for its "
        "request is closed",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="close a connection whose request head is not in by then (default: 10)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=int,
        default=5,
        metavar="SECONDS",
        help="close an idle kept-alive connection after this long (default: 5)",
    )
    code = commands.add_parser("enroll-code", help="print a one-time enrollment code")
    code.add_argument("--room", required=True, help="the room's name (made if new)")
    code.add_argument("--valid-hours", type=int, default=24)
    code.add_argument("--db", help=db_help)
    devices = commands.add_parser("devices", help="list enrolled kiosks")
    devices.add_argument("--json", action="store_true")
    devices.add_argument("--db", help=db_help)
    revoke = commands.add_parser("revoke", help="lock out one kiosk")
    revoke.add_argument("device")
    revoke.add_argument("--db", help=db_help)
    room_settings = commands.add_parser(
        "room-settings", help="show or change a room's settings (kiosks take them within a minute)"
    )
    room_settings.add_argument("room", help="the room's name or code (R0001)")
    room_settings.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting to change; VALUE is JSON, or plain text (repeatable)",
    )
    room_settings.add_argument("--db", help=db_help)
    room_pins = commands.add_parser(
        "room-pins", help="issue new attendant and technician PINs for a room"
    )
    room_pins.add_argument("room", help="the room's name or code (R0001)")
    room_pins.add_argument("--db", help=db_help)
    staff = commands.add_parser(
        "add-staff", help="add a console login (the password is read from standard input)"
    )
    staff.add_argument("username")
    staff.add_argument("--role", required=True, choices=("mediator", "supervisor", "administrator"))
    staff.add_argument(
        "--bureau", help="the bureau the login works for (default: the hub's one top bureau)"
    )
    staff.add_argument("--db", help=db_help)
    _studio_commands(commands, db_help)
    gone = commands.add_parser("remove-staff", help="remove a console login and end its sessions")
    gone.add_argument("username")
    gone.add_argument("--db", help=db_help)
    return top


def _studio_commands(commands: Any, db_help: str) -> None:
    """The bureaus' commands and the demo city's."""
    bureaus = commands.add_parser("bureaus", help="list the bureaus as a tree, with their rooms")
    bureaus.add_argument("--json", action="store_true")
    bureaus.add_argument("--db", help=db_help)
    bureau = commands.add_parser("add-bureau", help="add a bureau below another")
    bureau.add_argument("name")
    bureau.add_argument("--level", required=True, choices=("province", "city", "county", "branch"))
    bureau.add_argument("--parent", help="the bureau it reports to (none for a top bureau)")
    bureau.add_argument("--db", help=db_help)
    move = commands.add_parser("move-room", help="put a room in a bureau's area")
    move.add_argument("room", help="the room's name")
    move.add_argument("--bureau", required=True)
    move.add_argument("--db", help=db_help)
    demo = commands.add_parser(
        "demo-data", help="fill the database with a realistic city: bureaus, rooms, staff, cases"
    )
    demo.add_argument("--cases", type=int, default=2500, help="how many cases (default: 2500)")
    demo.add_argument("--seed", type=int, default=17, help="the same seed makes the same city")
    demo.add_argument("--db", help=db_help)
    sfu = commands.add_parser(
        "sfu",
        help="run Janus (the call's SFU) with the hub's configuration, on loopback "
        "(HUB_SFU_ADMIN_SECRET and HUB_SFU_ROOM_KEY from the environment)",
    )
    sfu.add_argument("--dir", required=True, help="where its configuration is written")
    sfu.add_argument("--port", type=int, default=8188, help="its HTTP API (default: 8188)")
    sfu.add_argument("--admin-port", type=int, default=7188, help="its admin API (default: 7188)")
    sfu.add_argument("--rtp-ports", default="20000-20999", help="media ports, LOW-HIGH")
    sfu.add_argument("--recordings", help="where recorded calls are written")
    sfu.add_argument("--db", help=argparse.SUPPRESS)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = parser().parse_args(argv)
    from hub.store import default_db_url

    url = args.db or default_db_url()
    commands: dict[str, Callable[[], int]] = {
        "serve": lambda: _serve(url, args),
        "enroll-code": lambda: _enroll_code(url, args.room, args.valid_hours),
        "devices": lambda: _devices(url, args.json),
        "room-settings": lambda: _room_command(url, args),
        "room-pins": lambda: _room_command(url, args),
        "add-staff": lambda: _add_staff(url, args.username, args.role, args.bureau),
        "bureaus": lambda: _bureaus(url, args.json),
        "add-bureau": lambda: _add_bureau(url, args.name, args.level, args.parent),
        "move-room": lambda: _move_room(url, args.room, args.bureau),
        "demo-data": lambda: _demo_data(url, args.cases, args.seed),
        "remove-staff": lambda: _remove_staff(url, args.username),
        "revoke": lambda: _revoke(url, args.device),
        "sfu": lambda: _sfu(args),
    }
    return commands[args.command]()


def _sfu(args: argparse.Namespace) -> int:
    """Write Janus's configuration and become Janus (a service manager keeps it running)."""
    import os
    import shutil
    from pathlib import Path

    from hub.sfu import janus_config

    secret, key = os.environ.get("HUB_SFU_ADMIN_SECRET"), os.environ.get("HUB_SFU_ROOM_KEY")
    janus = shutil.which("janus")
    if not secret or not key or janus is None:
        print(
            "sfu: needs Debian's janus, and HUB_SFU_ADMIN_SECRET and HUB_SFU_ROOM_KEY set",
            file=sys.stderr,
        )
        return 2
    low, _, high = args.rtp_ports.partition("-")
    folder = janus_config(
        Path(args.dir),
        port=args.port,
        admin_port=args.admin_port,
        admin_secret=secret,
        room_key=key,
        rtp_ports=(int(low), int(high or low)),
        recordings=Path(args.recordings) if args.recordings else None,
    )
    os.execv(janus, [janus, "-F", str(folder)])
    return 0  # not reached


def _room_command(url: str, args: argparse.Namespace) -> int:
    from hub.room_commands import room_pins, room_settings

    made = _sessions(url)
    if args.command == "room-pins":
        return room_pins(made, args.room)
    return room_settings(made, args.room, args.set)


def _sessions(url: str) -> sessionmaker:  # type: ignore[type-arg]
    from hub.migrate import upgrade
    from hub.store import engine_for

    engine = engine_for(url, pool_size=1)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


def _serve(url: str, args: argparse.Namespace) -> int:
    import uvicorn

    from hub import serving
    from hub.api import create_app

    if (args.max_connections is not None and args.max_connections < 1) or not (
        0 < args.header_timeout <= 3600 and 0 < args.keep_alive_timeout <= 3600
    ):
        print(
            "serve: --max-connections takes a number from 1, the timeouts seconds from 1 to 3600.",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # every request to the SFU
    file_limit = serving.raise_file_limit()
    bound = serving.connection_bound(file_limit, args.max_connections)
    config = uvicorn.Config(
        create_app(url),
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=False,
        http=serving.guarded_protocol(args.header_timeout, bound),
        timeout_keep_alive=args.keep_alive_timeout,
        backlog=serving.accept_backlog(file_limit),
    )
    serving.write_running_out_once_a_minute()  # after uvicorn.Config has set up its logging
    log = logging.getLogger("hub.serving")
    if args.max_connections is not None and bound < args.max_connections:
        log.warning(
            "--max-connections %d is more than %d open files allow: holding %d",
            args.max_connections,
            file_limit,
            bound,
        )
    log.info(
        "At most %d connections (%d open files allowed); request heads within %g s; "
        "idle connections closed after %d s",
        bound,
        file_limit,
        args.header_timeout,
        args.keep_alive_timeout,
    )
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 3


def _enroll_code(url: str, room: str, valid_hours: int) -> int:
    import io

    import qrcode

    from hub import fleet

    if not room.strip() or not 1 <= valid_hours <= 24 * 30:
        print("enroll-code: give a room name and --valid-hours from 1 to 720.", file=sys.stderr)
        return 2
    with _sessions(url).begin() as session:
        code, made_for = fleet.new_enroll_code(session, room.strip(), valid_hours)
        room_code = made_for.code
    # Line 1 is the code alone: scripts read it with `head -n 1`.
    print(code)
    qr = qrcode.QRCode(border=1)
    qr.add_data(code)
    picture = io.StringIO()
    qr.print_ascii(out=picture, invert=True)
    print(picture.getvalue(), end="")
    print(f"Room {room.strip()} ({room_code}); valid for {valid_hours} hours; one kiosk only.")
    return 0


def _devices(url: str, as_json: bool) -> int:
    from hub import fleet
    from hub.alerts import SWEEP_BATCH
    from hub.housekeeping import one_round

    sessions = _sessions(url)
    # Kiosks that fell silent since the hub's last round: say so now (in steps, if many).
    while one_round(sessions).kiosks_fell_silent >= SWEEP_BATCH:
        pass
    with sessions.begin() as session:
        rows = fleet.list_devices(session)
    if as_json:
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=2))
        return 0
    header = (
        "DEVICE",
        "ROOM",
        "STATE",
        "LAST SEEN",
        "OUTBOX",
        "DEVICES NOT READY",
        "ONLINE",
        "VERSION",
        "LAST VISIT",
        "ALERTS",
    )
    lines = [header]
    for row in rows:
        faults = [
            f"{name}:{h.get('state')}"
            for name, h in row.health.items()
            if h.get("state") != "ready"
        ]
        lines.append(
            (
                row.device,
                row.room,
                row.state,
                row.last_seen_at or "never",
                str(row.outbox_pending),
                ",".join(faults) or "-",
                "yes" if row.online else "no",
                row.kiosk_version or "-",
                row.last_visit_at or "never",
                str(len(row.alerts)),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    return 0


def _revoke(url: str, device: str) -> int:
    from hub import fleet

    with _sessions(url).begin() as session:
        found = fleet.revoke(session, device)
    if not found:
        print(f"revoke: no device {device}.", file=sys.stderr)
        return 1
    print(f"Device {device} is revoked: the hub refuses it from now on.")
    return 0


def _add_staff(url: str, username: str, role: str, bureau: str | None) -> int:
    from hub.accounts import Staff, add_staff
    from hub.store import Bureau

    # One line from standard input: never a command-line argument, which `ps` shows.
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with _sessions(url).begin() as session:
            add_staff(session, username.strip(), password, role, bureau)
            works_for = session.get_one(Bureau, session.get_one(Staff, username.strip()).bureau_id)
            bureau_name = works_for.name
    except ValueError as error:
        print(f"add-staff: {error}.", file=sys.stderr)
        return 2
    print(f"Staff {username.strip()} can log in to the console as {role}.")
    print(f"They work for {bureau_name}: they see its cases and those of the bureaus below it.")
    return 0


def _bureaus(url: str, as_json: bool) -> int:
    from sqlalchemy import select

    from hub.bureaus import LEVEL_WORDS, tree
    from hub.store import Room

    with _sessions(url).begin() as session:
        nodes = tree(session).walk()
        rooms: dict[int | None, list[str]] = {}
        for name, bureau_id in session.execute(select(Room.name, Room.bureau_id)):
            rooms.setdefault(bureau_id, []).append(name)
    if as_json:
        shown = [
            {
                "name": node.name,
                "level": node.level.value,
                "parent": next((n.name for n in nodes if n.id == node.parent_id), None),
                "rooms": sorted(rooms.get(node.id, [])),
            }
            for node in nodes
        ]
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    for node in nodes:
        level = LEVEL_WORDS[node.level][1].lower()
        print(f"{'  ' * node.depth}{node.name} ({level})")
        for room in sorted(rooms.get(node.id, [])):
            print(f"{'  ' * (node.depth + 1)}- room {room}")
    return 0


def _add_bureau(url: str, name: str, level: str, parent: str | None) -> int:
    from hub.bureaus import add_bureau

    try:
        with _sessions(url).begin() as session:
            add_bureau(session, name, level, parent)
    except ValueError as error:
        print(f"add-bureau: {error}.", file=sys.stderr)
        return 2
    print(f"Bureau {name.strip()} ({level}) added" + (f" under {parent}." if parent else "."))
    return 0


def _move_room(url: str, room: str, bureau: str) -> int:
    from hub.bureaus import move_room

    try:
        with _sessions(url).begin() as session:
            move_room(session, room, bureau)
    except ValueError as error:
        print(f"move-room: {error}.", file=sys.stderr)
        return 2
    print(f"Room {room.strip()} is in the area of {bureau.strip()}: its new complaints go there.")
    return 0


def _demo_data(url: str, cases: int, seed: int) -> int:
    from hub.demo_data import fill

    if not 0 <= cases <= 1_000_000:
        print("demo-data: --cases goes from 0 to 1,000,000.", file=sys.stderr)
        return 2
    try:
        made = fill(_sessions(url), cases=cases, seed=seed)
    except ValueError as error:
        print(f"demo-data: {error}.", file=sys.stderr)
        return 2
    print(made)
    return 0


def _remove_staff(url: str, username: str) -> int:
    from hub.accounts import remove_staff

    with _sessions(url).begin() as session:
        removed = remove_staff(session, username.strip())
    if not removed:
        print(f"remove-staff: no staff login {username.strip()}.", file=sys.stderr)
        return 1
    print(f"Staff {username.strip()} can no longer log in; their consoles are logged out.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
