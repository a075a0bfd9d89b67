"""A TCP proxy that breaks the network between kiosk and hub on purpose.

Each connection draws one behaviour: pass through; refuse at once; hang without a word;
answer late; answer 500, 503 or 429 (with Retry-After) itself; reset part-way through the
request or the answer; or let the hub do the work and reset before the kiosk hears the
answer — the case that tests "filed, but the kiosk does not know".
"""

from __future__ import annotations

import contextlib
import random
import select
import socket
import struct
import threading
import time
from collections import Counter

FAULTS = (
    ("pass", 40),
    ("refuse", 8),
    ("hang", 4),
    ("delay", 8),
    ("error_500", 5),
    ("error_503", 5),
    ("error_429", 5),
    ("cut_request", 8),
    ("cut_answer", 8),
    ("lose_answer", 9),
)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST), not a polite FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    """Listens on loopback and relays to `target` (host, port), breaking things at random."""

    def __init__(self, target: tuple[str, int], seed: int = 0, hang_s: float = 3.0) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.hang_s = hang_s
        self.faulty = True
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's address, for the kiosk."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Start accepting."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting."""
        self._stop.set()
        with contextlib.suppress(OSError):
            self._server.close()

    def _draw(self) -> str:
        with self._lock:
            if not self.faulty:
                fault = "pass"
            else:
                names = [name for name, _ in FAULTS]
                fault = self.rng.choices(names, [w for _, w in FAULTS])[0]
            self.seen[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, self._draw()), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str) -> None:
        try:
            if fault == "refuse":
                _reset(client)
                return
            if fault == "hang":
                time.sleep(self.hang_s)
                _reset(client)
                return
            if fault.startswith("error_"):
                self._answer_error(client, int(fault.removeprefix("error_")))
                return
            if fault == "delay":
                time.sleep(self.rng.uniform(0.1, 0.6))
            hub = socket.create_connection(self.target, timeout=10)
            if fault == "cut_request":
                self._relay(client, hub, up_budget=self.rng.randint(1, 400))
            elif fault == "cut_answer":
                self._relay(client, hub, down_budget=self.rng.randint(1, 200))
            elif fault == "lose_answer":
                self._relay(client, hub, down_budget=0)
            else:
                self._relay(client, hub)
        except OSError:
            _reset(client)

    def _answer_error(self, client: socket.socket, status: int) -> None:
        client.settimeout(5)
        head = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(65536)
                if not chunk:
                    break
                head += chunk
        reason = {
            500: "Internal Server Error",
            503: "Service Unavailable",
            429: "Too Many Requests",
        }
        body = b'{"detail": "injected"}'
        answer = (
            f"HTTP/1.1 {status} {reason[status]}\r\nContent-Type: application/json\r\n"
            f"Retry-After: 1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        with contextlib.suppress(OSError):
            client.sendall(answer)
        _reset(client)

    def _relay(
        self,
        client: socket.socket,
        hub: socket.socket,
        up_budget: int | None = None,
        down_budget: int | None = None,
    ) -> None:
        """Copy bytes both ways; reset both ends once a direction's budget is spent."""
        sent_up = sent_down = 0
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, hub], [], [], 30)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        if up_budget is not None and sent_up + len(data) > up_budget:
                            hub.sendall(data[: max(0, up_budget - sent_up)])
                            return
                        hub.sendall(data)
                        sent_up += len(data)
                    else:
                        if down_budget is not None and sent_down + len(data) > down_budget:
                            client.sendall(data[: max(0, down_budget - sent_down)])
                            return
                        client.sendall(data)
                        sent_down += len(data)
        finally:
            _reset(client)
            _reset(hub)
