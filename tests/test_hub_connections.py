"""The hub under a flood of slow connections: more of them than it may open files, and
still the health check answers; request heads have a deadline and idle connections end;
running out of files or connections is written to the log once a minute, not per try."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import resource
import select
import selectors
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from hub.serving import OnceAMinute
from tests.hubs import HubProcess, start_hub

HUB_FILES = 1024
SLOW_CONNECTIONS = 1500  # more than the hub may open files
HEADER_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    tmp = tmp_path_factory.mktemp("connections-hub")
    running = start_hub(
        f"sqlite:///{tmp / 'hub.sqlite3'}",
        tmp / "hub.log",
        options=["--header-timeout", str(HEADER_TIMEOUT), "--keep-alive-timeout", "1"],
        open_files=HUB_FILES,
    )
    try:
        yield running
    finally:
        running.stop()


@contextlib.contextmanager
def open_files_at_least(wanted: int) -> Iterator[None]:
    """This test process may open `wanted` files for the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the test needs {wanted} open files; the hard limit is {hard}")
    if soft >= wanted:
        yield
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def address(hub: HubProcess) -> tuple[str, int]:
    host, port = hub.url.removeprefix("http://").split(":")
    return host, int(port)


def eof_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the hub closes this connection within `seconds` (what it sends is read)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if select.select([sock], [], [], left)[0]:
            try:
                if not sock.recv(65536):
                    return True
            except ConnectionResetError:
                return True
    return False


def slow_connections(hub: HubProcess, count: int) -> list[socket.socket]:
    """`count` connections to the hub, each with a request head begun and never finished.
    They are opened side by side: the hub's backlog overflows under the flood, and the
    kernel sends a dropped SYN again a second later, which one after another would add up."""
    opening: list[socket.socket] = []
    waiting = selectors.DefaultSelector()
    try:
        for _ in range(count):
            sock = socket.socket()
            opening.append(sock)
            sock.setblocking(False)
            assert sock.connect_ex(address(hub)) in (0, errno.EINPROGRESS)
            waiting.register(sock, selectors.EVENT_WRITE)
        deadline = time.monotonic() + 15
        while waiting.get_map() and (left := deadline - time.monotonic()) > 0:
            for key, _ in waiting.select(left):
                sock = key.fileobj  # type: ignore[assignment]
                waiting.unregister(sock)
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                sock.send(b"GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
        assert not waiting.get_map(), f"{len(waiting.get_map())} connections not made"
    except BaseException:
        for sock in opening:
            sock.close()
        raise
    finally:
        waiting.close()
    return opening


def test_the_health_check_answers_under_more_slow_connections_than_the_hub_has_files(
    hub: HubProcess,
) -> None:
    with open_files_at_least(SLOW_CONNECTIONS + 200):
        slow = slow_connections(hub, SLOW_CONNECTIONS)
        try:
            for _ in range(3):
                started = time.monotonic()
                answer = requests.get(hub.url + "/v1/health", timeout=5)
                assert answer.status_code == 200
                assert time.monotonic() - started < 5
        finally:
            for sock in slow:
                sock.close()
    log = hub.log.read_text(errors="replace")
    assert log.count("Too many open files") <= 2
    assert "out of system resource" not in log
    # Some thousand connections were closed at the bound, and the log says so once.
    assert log.count("closed the one waiting longest for its request") == 1


def test_a_head_sent_a_byte_a_second_or_not_at_all_is_closed_at_its_deadline(
    hub: HubProcess,
) -> None:
    head = b"GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: " + b"a" * 30
    with (
        socket.create_connection(address(hub), timeout=5) as silent,
        socket.create_connection(address(hub), timeout=5) as trickle,
    ):
        started = time.monotonic()
        closed = False
        for byte in head:
            try:
                trickle.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if eof_within(trickle, 1.0):  # the pace: a byte a second, unless it ends first
                closed = True
                break
            assert time.monotonic() - started < HEADER_TIMEOUT + 5, "still open"
        took = time.monotonic() - started
        assert closed
        assert HEADER_TIMEOUT - 0.1 <= took < HEADER_TIMEOUT + 5
        assert eof_within(silent, 5)  # opened at the same time: its deadline has passed too


def test_an_idle_kept_alive_connection_is_closed_and_a_prompt_one_answered(
    hub: HubProcess,
) -> None:
    with socket.create_connection(address(hub), timeout=5) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: hub\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        assert eof_within(sock, 5)  # --keep-alive-timeout 1


def test_running_out_of_files_is_written_once_a_minute_with_the_count_held_back() -> None:
    now = [1000.0]
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(once := OnceAMinute(clock=lambda: now[0]))
    second = logging.StreamHandler(io.StringIO())
    second.addFilter(once)  # one record reaching two handlers is decided once
    accepts = logging.getLogger("test.asyncio")
    accepts.propagate = False
    for each in (handler, second):
        accepts.addHandler(each)
    error = OSError(errno.EMFILE, "Too many open files")
    try:
        for _ in range(500):
            accepts.error("socket.accept() out of system resource", exc_info=error)
            accepts.warning("something else")
            now[0] += 0.1
        now[0] += 60
        accepts.error("socket.accept() out of system resource", exc_info=error)
    finally:
        for each in (handler, second):
            accepts.removeHandler(each)
    lines = written.getvalue()
    assert lines.count("Too many open files") == 2
    assert lines.count("something else") == 500
    assert "(499 more such lines since the last one were not written)" in lines
