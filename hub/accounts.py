"""Staff accounts on the hub: mediators and supervisors who log in to the web console.

Passwords are kept only as salted scrypt hashes. A login gives a random session token in
an HttpOnly cookie; the hub keeps only the token's SHA-256, so a copy of the database
opens no console. `current_staff(required_role=...)` is the one dependency every staff
route uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import ForeignKey, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.problems import ProblemError
from hub.store import Base, UtcDateTime, utcnow

#: A mediator handles cases; a bureau head (supervisor) does too, assigns them and reads the
#: bureau's figures; an administrator runs the studio (bureaus, rooms, staff, the fleet) and
#: sees cases without the consumers' personal data.
ROLES = ("mediator", "supervisor", "administrator")
Role = Literal["mediator", "supervisor", "administrator"]
COOKIE = "hub_staff"
SESSION_HOURS = 12
# scrypt's cost: about 50 ms a login on this class of machine, 16 MB of memory.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
#: The one limit on a password's length, when it is set and when it is used.
PASSWORD_MAX = 200
#: Wrong passwords a login, or an address, may give in the window; then the login waits
#: (the right password too) until the oldest has aged out.
LOGIN_TRIES = 5
ADDRESS_TRIES = 20
TRIES_WINDOW = dt.timedelta(minutes=15)

__all__ = [
    "COOKIE",
    "ROLES",
    "StaffMember",
    "add_staff",
    "current_staff",
    "login_router",
    "remove_staff",
]


class Staff(Base):
    """A person who works at the hub's console."""

    __tablename__ = "staff"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: The bureau the login works for: it sees that bureau's cases and those below.
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)


class StaffSession(Base):
    """A logged-in console: the cookie's token, kept as its SHA-256."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("staff.username"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LoginFailure(Base):
    """A wrong password given at the console's login: counted to hold a guesser back."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


@dataclass(frozen=True)
class StaffMember:
    """Who is logged in at a console."""

    username: str
    role: str
    bureau_id: int | None = None


def hash_password(password: str) -> str:
    """A salted scrypt hash, with its parameters: `scrypt$N$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """True when the password gives the stored hash (compared in constant time)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        made = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(made.hex(), digest)


def add_staff(
    session: Session, username: str, password: str, role: str, bureau: str | None = None
) -> None:
    """Add a staff member, or set a new password, role and bureau for an existing one. With
    no bureau named, a new login works for the hub's one top bureau, and an existing one
    stays in its own."""
    from hub.bureaus import by_name, home_bureau

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not 8 <= len(password) <= PASSWORD_MAX:
        raise ValueError(
            f"give a username (at most 64 characters) and a password of 8 to {PASSWORD_MAX}"
        )
    found = session.get(Staff, username)
    works_for = by_name(session, bureau) if bureau else None
    if found is None:
        works_for = works_for or home_bureau(session)
        session.add(
            Staff(
                username=username,
                password_hash=hash_password(password),
                role=role,
                bureau_id=works_for.id,
            )
        )
    else:
        found.password_hash = hash_password(password)
        found.role = role
        if works_for is not None:
            found.bureau_id = works_for.id
        # A new password ends every console logged in with the old one.
        session.execute(delete(StaffSession).where(StaffSession.username == username))
    session.flush()


def remove_staff(session: Session, username: str) -> bool:
    """Remove a staff login and end its sessions; False when there is none by that name."""
    found = session.get(Staff, username)
    if found is None:
        return False
    session.execute(delete(StaffSession).where(StaffSession.username == username))
    session.delete(found)
    session.flush()
    return True


# Checked for a username that does not exist, so that it takes as long as a real one.
_NOBODY = hash_password(secrets.token_hex(16))


def log_in(session: Session, username: str, password: str, address: str = "") -> str | None:
    """A new session token for the right password, or None; ProblemError (429) while the
    login or the address has given too many wrong passwords just now."""
    since = utcnow() - TRIES_WINDOW
    for column, value, most in (
        (LoginFailure.username, username, LOGIN_TRIES),
        (LoginFailure.address, address, ADDRESS_TRIES),
    ):
        failures = session.scalar(
            select(func.count()).where(column == value, LoginFailure.failed_at >= since)
        )
        if value and (failures or 0) >= most:
            raise ProblemError(
                429,
                "too-many-logins",
                "Too many wrong passwords",
                "Too many wrong passwords were given just now; wait a quarter of an hour, "
                "or ask a supervisor.",
                {"Retry-After": str(int(TRIES_WINDOW.total_seconds()))},
            )
    found = session.get(Staff, username)
    right = password_matches(password, found.password_hash if found else _NOBODY)
    if found is None or not right or len(password) > PASSWORD_MAX:
        session.add(LoginFailure(username=username, address=address, failed_at=utcnow()))
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_sha256(token),
            username=username,
            expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    session.flush()
    return token


def staff_for_token(session: Session, token: str | None) -> StaffMember | None:
    """The staff member a session token belongs to, while it has not expired."""
    if not token:
        return None
    opened = session.get(StaffSession, _sha256(token))
    if opened is None or opened.expires_at <= utcnow():
        return None
    member = session.get_one(Staff, opened.username)
    return StaffMember(member.username, member.role, member.bureau_id)


#: Who passes each role's door: a bureau head does all a mediator does, and an
#: administrator what a bureau head does on the fleet and the figures.
MAY_ACT_AS: dict[str, frozenset[str]] = {
    "mediator": frozenset({"mediator", "supervisor"}),
    "supervisor": frozenset({"supervisor", "administrator"}),
    "administrator": frozenset({"administrator"}),
}


def current_staff(required_role: Role | None = None) -> Callable[[Request], StaffMember]:
    """A FastAPI dependency: the logged-in staff member (401), allowed in by this role's
    door if one is given (403; `MAY_ACT_AS`)."""

    def dependency(connection: Request) -> StaffMember:
        sessions: sessionmaker[Session] = connection.app.state.sessions
        with sessions.begin() as db:
            member = staff_for_token(db, connection.cookies.get(COOKIE))
        if member is None:
            raise ProblemError(401, "login-needed", "Please log in", "Log in at /console/login.")
        if required_role is not None and member.role not in MAY_ACT_AS[required_role]:
            raise ProblemError(
                403, "role-needed", "Not allowed", f"This needs a {required_role}'s login."
            )
        return member

    return dependency


def login_router(sessions: sessionmaker[Session]) -> APIRouter:
    """`/console/login` (the form posts here) and `/console/logout`."""
    router = APIRouter(include_in_schema=False)

    @router.post("/console/login")
    async def login(request: Request) -> Response:
        # The login form, url-encoded (read here: no multipart parser is needed for two fields).
        form = parse_qs((await request.body())[:4096].decode("utf-8", "replace"))
        username = (form.get("username") or [""])[0].strip()[:64]
        password = (form.get("password") or [""])[0]
        address = request.client.host if request.client else ""

        def check() -> str | None:
            with sessions.begin() as db:
                return log_in(db, username, password, address)

        try:
            token = await run_in_threadpool(check)
        except ProblemError as held:
            if held.status != 429:
                raise
            return RedirectResponse("/console/login?failed=held", status_code=303)
        if token is None:
            return RedirectResponse("/console/login?failed=1", status_code=303)
        answer = RedirectResponse("/console/", status_code=303)
        answer.set_cookie(
            COOKIE,
            token,
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return answer

    @router.post("/console/logout")
    def logout(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            with sessions.begin() as db:
                opened = db.get(StaffSession, _sha256(token))
                if opened is not None:
                    db.delete(opened)
        answer = RedirectResponse("/console/login", status_code=303)
        answer.delete_cookie(COOKIE)
        return answer

    @router.get("/console/api/me")
    def me(member: Annotated[StaffMember, Depends(current_staff())]) -> dict[str, str]:
        return {"username": member.username, "role": member.role}

    return router


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
