"""The market supervision bureaus, as a tree of four levels: province, city, county or
district, and branch offices (a development zone's, a town's).

Each room and each staff login belongs to one bureau. Staff see the cases of their bureau
and of every bureau below it, never above or beside (`below`). The tree is small (a city
has tens of bureaus), so it is read whole and walked in memory.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.store import Bureau, Room


class Level(enum.StrEnum):
    """A bureau's level, from the top."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"  # a county or a city's district
    BRANCH = "branch"  # a branch office: a development zone's, a town's


#: Each level's depth: a bureau sits below one of a smaller depth.
DEPTH = {level: depth for depth, level in enumerate(Level)}
LEVEL_WORDS: dict[Level, tuple[str, str]] = {
    Level.PROVINCE: ("省局", "Province"),
    Level.CITY: ("市局", "City"),
    Level.COUNTY: ("县（区）局", "County or district"),
    Level.BRANCH: ("分局", "Branch"),
}
__all__ = ["Bureau", "BureauError", "Level", "Tree", "add_bureau", "home_bureau", "move_room"]

#: The bureau a hub makes for itself when rooms or staff come before any bureau was added.
HOME_BUREAU = "市场监督管理局"


@dataclass(frozen=True)
class Node:
    """A bureau as the tree reads it."""

    id: int
    name: str
    level: Level
    parent_id: int | None
    depth: int  # 0 for a top bureau


class BureauError(ValueError):
    """A bureau that cannot be made or found as asked; says why in words."""


class Tree:
    """The whole tree, read once."""

    def __init__(self, rows: Iterable[Bureau]) -> None:
        self.by_id = {
            row.id: Node(row.id, row.name, Level(row.level), row.parent_id, 0) for row in rows
        }
        self.children: dict[int | None, list[int]] = {}
        for node in sorted(self.by_id.values(), key=lambda n: (DEPTH[n.level], n.name)):
            self.children.setdefault(node.parent_id, []).append(node.id)

    def below(self, bureau_id: int) -> set[int]:
        """The bureau and every bureau under it."""
        found, todo = set(), [bureau_id]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            todo.extend(self.children.get(current, []))
        return found

    def above(self, bureau_id: int) -> list[Node]:
        """The bureaus this one reports to, nearest first."""
        chain: list[Node] = []
        node = self.by_id.get(bureau_id)
        while node is not None and node.parent_id is not None:
            node = self.by_id.get(node.parent_id)
            if node is None or node in chain:
                break
            chain.append(node)
        return chain

    def walk(self) -> list[Node]:
        """Every bureau, each under its parent, with its depth in the tree."""
        ordered: list[Node] = []

        def visit(parent: int | None, depth: int) -> None:
            for child in self.children.get(parent, []):
                node = self.by_id[child]
                ordered.append(Node(node.id, node.name, node.level, node.parent_id, depth))
                visit(child, depth + 1)

        visit(None, 0)
        return ordered

    def name(self, bureau_id: int | None) -> str:
        """The bureau's name ("" for none)."""
        node = self.by_id.get(bureau_id) if bureau_id is not None else None
        return node.name if node is not None else ""


def tree(session: Session) -> Tree:
    """The bureaus as they stand."""
    return Tree(session.scalars(select(Bureau)))


def by_name(session: Session, name: str) -> Bureau:
    """The bureau of that name; BureauError when there is none."""
    found = session.scalar(select(Bureau).where(Bureau.name == name.strip()))
    if found is None:
        raise BureauError(f"no bureau is called {name!r}; `mediation-hub bureaus` lists them")
    return found


def add_bureau(session: Session, name: str, level: str, parent: str | None = None) -> Bureau:
    """A new bureau at this level, under the named parent (a top bureau has none)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise BureauError("give the bureau's name (at most 200 characters)")
    try:
        kind = Level(level)
    except ValueError:
        raise BureauError(f"the level is one of {', '.join(Level)}") from None
    if session.scalar(select(Bureau.id).where(Bureau.name == name)) is not None:
        raise BureauError(f"a bureau is called {name!r} already")
    above = by_name(session, parent) if parent else None
    if above is not None and DEPTH[Level(above.level)] >= DEPTH[kind]:
        raise BureauError(
            f"a {kind.value} bureau cannot report to {above.name!r}, a {above.level} bureau"
        )
    made = Bureau(name=name, level=kind.value, parent_id=above.id if above else None)
    session.add(made)
    session.flush()
    return made


def home_bureau(session: Session) -> Bureau:
    """Where a room or login goes when none is named: the one top bureau (made when the hub
    has no bureau yet). With several top bureaus, name one."""
    tops = list(session.scalars(select(Bureau).where(Bureau.parent_id.is_(None)).limit(2)))
    if len(tops) == 1:
        return tops[0]
    if tops:
        raise BureauError("this hub has several top bureaus: name the bureau")
    made = Bureau(name=HOME_BUREAU, level=Level.CITY.value, parent_id=None)
    session.add(made)
    session.flush()
    return made


def move_room(session: Session, room_name: str, bureau_name: str) -> Room:
    """Put the room in the bureau's area: its new complaints go to that bureau."""
    room = session.scalar(select(Room).where(Room.name == room_name.strip()))
    if room is None:
        raise BureauError(f"no room is called {room_name!r}")
    room.bureau_id = by_name(session, bureau_name).id
    session.flush()
    return room
