"""`mediation-hub bureaus`, `add-bureau`, `move-room` and `add-staff --bureau`: a city's
bureaus built from the command line, as the hub's administrator does it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HUB = str(Path(sys.executable).parent / "mediation-hub")


def _hub(db: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HUB, *args, "--db", db],
        check=False,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_administrator_builds_the_tree_moves_a_room_and_adds_staff(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    for args in (
        ("云江省市场监督管理局", "--level", "province"),
        ("海州市市场监督管理局", "--level", "city", "--parent", "云江省市场监督管理局"),
        ("东城区市场监督管理局", "--level", "county", "--parent", "海州市市场监督管理局"),
        ("经济开发区分局", "--level", "branch", "--parent", "东城区市场监督管理局"),
    ):
        made = _hub(db, "add-bureau", *args)
        assert made.returncode == 0, made.stderr
        assert made.stdout.startswith(f"Bureau {args[0]} ({args[2]}) added")
    wrong = _hub(db, "add-bureau", "新区局", "--level", "city", "--parent", "经济开发区分局")
    assert wrong.returncode == 2
    assert "a city bureau cannot report to '经济开发区分局', a branch bureau" in wrong.stderr
    assert _hub(db, "enroll-code", "--room", "幸福社区调解室").returncode == 0
    moved = _hub(db, "move-room", "幸福社区调解室", "--bureau", "经济开发区分局")
    assert moved.returncode == 0, moved.stderr
    nowhere = _hub(db, "move-room", "幸福社区调解室", "--bureau", "火星分局")
    assert nowhere.returncode == 2 and "no bureau is called '火星分局'" in nowhere.stderr
    staff = _hub(
        db,
        "add-staff",
        "wang",
        "--role",
        "mediator",
        "--bureau",
        "经济开发区分局",
        stdin="mediator-pass\n",
    )
    assert staff.returncode == 0, staff.stderr
    assert "They work for 经济开发区分局" in staff.stdout
    # With several top bureaus possible, a login without a bureau goes to the one top one.
    admin = _hub(db, "add-staff", "zhou", "--role", "administrator", stdin="admin-pass-1\n")
    assert admin.returncode == 0 and "They work for 云江省市场监督管理局" in admin.stdout

    listed = _hub(db, "bureaus")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "云江省市场监督管理局 (province)",
        "  海州市市场监督管理局 (city)",
        "    东城区市场监督管理局 (county or district)",
        "      经济开发区分局 (branch)",
        "        - room 幸福社区调解室",
    ]
    tree = json.loads(_hub(db, "bureaus", "--json").stdout)
    assert tree[3] == {
        "name": "经济开发区分局",
        "level": "branch",
        "parent": "东城区市场监督管理局",
        "rooms": ["幸福社区调解室"],
    }
