"""Staff accounts: `mediation-hub add-staff`, the console's login, and `current_staff`."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Annotated

from fastapi import Depends

from hub.accounts import COOKIE, StaffMember, current_staff, hash_password, password_matches
from hub.api import create_app
from tests.hubs import ROOT


def add_staff(db: str, username: str, role: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "add-staff", username, "--role", role, "--db", db],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_passwords_are_kept_as_salted_scrypt_hashes() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")  # a salt of its own each
    assert "correct horse" not in first
    assert password_matches("correct horse", first)
    assert not password_matches("wrong horse", first)
    assert not password_matches("correct horse", "not a hash")


def test_add_staff_reads_the_password_from_stdin_and_roles_guard_routes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    made = add_staff(db, "wang", "mediator", "mediator-pass")
    assert made.returncode == 0, made.stderr
    first, second = made.stdout.strip().splitlines()
    assert first == "Staff wang can log in to the console as mediator."
    assert second.startswith("They work for 市场监督管理局")  # the hub's one top bureau
    assert add_staff(db, "li", "supervisor", "supervisor-pass").returncode == 0
    short = add_staff(db, "zhao", "mediator", "short")
    assert short.returncode == 2 and "8 to 200" in short.stderr
    assert add_staff(db, "zhao", "janitor", "long-enough-pass").returncode == 2

    with warnings.catch_warnings():
        # Starlette's test client warns, on import, about its own use of httpx.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    app = create_app(db)

    @app.get("/test/supervisors-only")
    def supervisors_only(
        member: Annotated[StaffMember, Depends(current_staff("supervisor"))],
    ) -> dict[str, str]:
        return {"hello": member.username}

    with TestClient(app) as client:
        assert client.get("/test/supervisors-only").status_code == 401
        assert client.get("/console/api/me").status_code == 401
        login = client.post(
            "/console/login",
            data={"username": "wang", "password": "mediator-pass"},
            follow_redirects=False,
        )
        assert login.status_code == 303 and login.headers["location"] == "/console/"
        assert "httponly" in login.headers["set-cookie"].lower()
        assert client.get("/console/api/me").json() == {"username": "wang", "role": "mediator"}
        assert client.get("/test/supervisors-only").status_code == 403
        assert client.get("/console/").status_code == 200
        client.post("/console/logout", follow_redirects=False)
        assert client.get("/console/api/me").status_code == 401
        client.post("/console/login", data={"username": "li", "password": "supervisor-pass"})
        assert client.cookies.get(COOKIE)
        assert client.get("/test/supervisors-only").json() == {"hello": "li"}
