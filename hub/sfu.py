"""The call's media through Janus (VideoRoom), which the hub alone talks to.

Every party publishes its picture and voice once and receives each other party's from the
SFU, so the room's kiosk encodes its camera once however many are in the call. The parties
never reach Janus's API: they send their offer through the hub's signaling (`publish`), and
the hub passes on Janus's offer of each other party (`offer`), as in the mesh. Janus is asked
with a token the hub minted for that party alone (`add_token` on its admin API), spent when
the party leaves; its rooms carry a secret only the hub knows (`HUB_SFU_ROOM_KEY`).

Settings: `HUB_SFU_URL` (Janus's HTTP API, e.g. http://127.0.0.1:8188/janus),
`HUB_SFU_ADMIN_URL` and `HUB_SFU_ADMIN_SECRET` (its admin API). Without them the call is a
mesh. `janus_config` writes the configuration `make run`, the tests and the hub's install
start Janus with.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
#: Janus drops a session it hears nothing from for a minute; the long poll is heard.
POLL_S = 25.0
ANSWER_TIMEOUT_S = 10.0
#: The most parties a call holds (publishers in the Janus room).
MOST_PARTIES = 8


class SfuError(Exception):
    """Janus refused or did not answer."""


@dataclass(frozen=True)
class SfuSettings:
    """How the hub reaches Janus."""

    url: str
    admin_url: str
    admin_secret: str
    room_key: str
    #: Where Janus writes a recorded call (its `rec_dir`), if recording is wanted.
    recordings: str = ""

    @classmethod
    def from_environment(cls) -> SfuSettings | None:
        """The settings from the hub's environment, or None for a mesh."""
        url = os.environ.get("HUB_SFU_URL", "").strip()
        if not url:
            return None
        return cls(
            url=url.rstrip("/"),
            admin_url=os.environ.get("HUB_SFU_ADMIN_URL", "").strip().rstrip("/"),
            admin_secret=os.environ.get("HUB_SFU_ADMIN_SECRET", ""),
            room_key=os.environ.get("HUB_SFU_ROOM_KEY", ""),
            recordings=os.environ.get("HUB_SFU_RECORDINGS", ""),
        )

    def room_number(self, mediation_id: str) -> int:
        """The Janus room of a mediation: a number Janus wants, the same on every hub process."""
        digest = hashlib.sha256(f"room:{mediation_id}".encode()).digest()
        return int.from_bytes(digest[:6], "big")

    def room_secret(self, mediation_id: str) -> str:
        """The room's secret (to moderate, kick and destroy), kept by the hub alone."""
        key = (self.room_key or self.admin_secret).encode()
        return hmac.new(key, mediation_id.encode(), hashlib.sha256).hexdigest()


class Janus:
    """One party's session on Janus: its own token, a publisher, and a subscriber per feed."""

    def __init__(self, settings: SfuSettings, client: httpx.AsyncClient | None = None) -> None:
        import httpx  # only a hub with an SFU needs it (every hub start imports this module)

        self.settings = settings
        self.http = client or httpx.AsyncClient(timeout=POLL_S + 10)
        self.token = secrets.token_hex(16)
        self.session = 0
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        #: Told of what Janus says unasked: (handle, event).
        self.on_event: Callable[[int, dict[str, Any]], None] = lambda handle, event: None

    async def _admin(self, request: str, **body: Any) -> dict[str, Any]:
        message = {"janus": request, "transaction": secrets.token_hex(6)}
        message |= {"admin_secret": self.settings.admin_secret, **body}
        return await self._post(self.settings.admin_url, message)

    async def _post(self, url: str, message: dict[str, Any]) -> dict[str, Any]:
        import httpx

        try:
            response = await self.http.post(url, json=message)
            reply: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SfuError(f"Janus did not answer: {error}") from error
        if reply.get("janus") == "error":
            raise SfuError(f"Janus refused {message['janus']}: {reply.get('error')}")
        return reply

    async def open(self) -> None:
        """Mint this party's token and open its session."""
        if self.settings.admin_url:
            await self._admin("add_token", token=self.token, plugins=[PLUGIN])
        reply = await self._post(
            self.settings.url,
            {"janus": "create", "transaction": secrets.token_hex(6), "token": self.token},
        )
        self.session = int(reply["data"]["id"])
        self._poller = asyncio.create_task(self._poll())

    async def close(self) -> None:
        """End the session (every handle with it) and spend the token."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
        with contextlib.suppress(SfuError):
            if self.session:
                await self._post(
                    f"{self.settings.url}/{self.session}",
                    {"janus": "destroy", "transaction": secrets.token_hex(6), "token": self.token},
                )
        with contextlib.suppress(SfuError):
            if self.settings.admin_url:
                await self._admin("remove_token", token=self.token)
        for waiting in self._waiting.values():
            waiting.cancel()
        await self.http.aclose()

    async def attach(self) -> int:
        """A new handle on the VideoRoom plugin."""
        reply = await self._post(
            f"{self.settings.url}/{self.session}",
            {
                "janus": "attach",
                "plugin": PLUGIN,
                "transaction": secrets.token_hex(6),
                "token": self.token,
            },
        )
        return int(reply["data"]["id"])

    async def detach(self, handle: int) -> None:
        """Let a handle go (its PeerConnection on Janus's side closes)."""
        with contextlib.suppress(SfuError):
            await self._post(
                f"{self.settings.url}/{self.session}/{handle}",
                {"janus": "detach", "transaction": secrets.token_hex(6), "token": self.token},
            )

    async def ask(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A request to the plugin: its answer, at once or when Janus's event comes."""
        transaction = secrets.token_hex(8)
        message: dict[str, Any] = {
            "janus": "message",
            "body": body,
            "transaction": transaction,
            "token": self.token,
        }
        if jsep is not None:
            message["jsep"] = jsep
        later = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = later
        try:
            reply = await self._post(f"{self.settings.url}/{self.session}/{handle}", message)
            if reply.get("janus") == "success":
                return _plugin_data(reply)
            event = await asyncio.wait_for(later, ANSWER_TIMEOUT_S)
        except TimeoutError:
            raise SfuError(f"Janus did not answer {body.get('request')}") from None
        finally:
            self._waiting.pop(transaction, None)
        data = _plugin_data(event)
        if "error" in data:
            raise SfuError(f"Janus refused {body.get('request')}: {data['error']}")
        return data | ({"jsep": event["jsep"]} if "jsep" in event else {})

    async def _poll(self) -> None:
        import httpx

        url = f"{self.settings.url}/{self.session}"
        while True:
            try:
                response = await self.http.get(
                    url, params={"token": self.token, "maxev": 10}, timeout=POLL_S + 35
                )
                events = response.json()
            except asyncio.CancelledError:
                raise
            except (httpx.HTTPError, ValueError) as error:
                log.warning("sfu: the long poll failed: %s", error)
                await asyncio.sleep(1)
                continue
            for event in events if isinstance(events, list) else [events]:
                self._heard(event)

    def _heard(self, event: dict[str, Any]) -> None:
        waiting = self._waiting.get(str(event.get("transaction", "")))
        if waiting is not None and event.get("janus") == "event" and not waiting.done():
            waiting.set_result(event)
            return
        if event.get("janus") not in (None, "keepalive", "ack"):
            self.on_event(int(event.get("sender") or 0), event)


def _plugin_data(reply: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = reply.get("plugindata", {}).get("data", {})
    return dict(data)


@dataclass
class Seat:
    """One party's place in the SFU room: what it publishes, and each feed it receives."""

    settings: SfuSettings
    mediation_id: str
    peer: str
    janus: Janus = field(init=False)
    publisher: int = 0
    feed: int = 0
    #: Another party's peer id -> (the handle it is received on, its feed).
    receiving: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Set when the party's own media reached Janus (only then may others receive them).
    up: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.janus = Janus(self.settings)
        self.janus.on_event = self._heard

    #: The media line of the party's voice in what it published (what `moderate` names).
    audio_mid: str = "0"
    #: Recording now, and how many stretches were recorded (a pause starts the next).
    recording: bool = False
    stretches: int = 0

    async def record(self, on: bool) -> None:
        """Record the party's picture and voice (or pause), where the hub keeps recordings."""
        if on == self.recording or not self.settings.recordings or not self.feed:
            return
        body: dict[str, Any] = {"request": "configure", "record": on}
        if on:
            from hub.recordings import segment_name

            self.stretches += 1
            body["filename"] = segment_name(
                self.settings, self.mediation_id, self.peer, self.stretches
            )
        await self.janus.ask(self.publisher, body)
        self.recording = on

    def _heard(self, handle: int, event: dict[str, Any]) -> None:
        if handle == self.publisher and event.get("janus") == "webrtcup":
            self.up.set()
        elif handle == self.publisher and event.get("janus") == "hangup":
            self.up.clear()

    @property
    def room(self) -> int:
        """The Janus room's number."""
        return self.settings.room_number(self.mediation_id)

    async def open(self) -> None:
        """The party's Janus session, in the mediation's room (made if it is not there)."""
        await self.janus.open()
        self.publisher = await self.janus.attach()
        create: dict[str, Any] = {
            "request": "create",
            "room": self.room,
            "secret": self.settings.room_secret(self.mediation_id),
            "publishers": MOST_PARTIES,
            "videocodec": "vp8",
            "audiocodec": "opus",
            "bitrate": 1_500_000,
            "fir_freq": 3,
            "notify_joining": False,
        }
        if self.settings.room_key:
            create["admin_key"] = self.settings.room_key
        try:
            await self.janus.ask(self.publisher, create)
        except SfuError as error:
            if "427" not in str(error) and "already exists" not in str(error):
                raise  # 427: the room is there (another party made it)

    async def publish(self, sdp: str) -> str:
        """The party's offer in, the SFU's answer out; the feed is known from then on, and
        `up` is set once the media flow."""
        self.up.clear()
        self.recording = False  # a fresh publisher records afresh
        if self.feed:  # publishing again (its connection failed): a fresh publisher
            await self.janus.detach(self.publisher)
            self.publisher = await self.janus.attach()
        data = await self.janus.ask(
            self.publisher,
            {
                "request": "joinandconfigure",
                "room": self.room,
                "ptype": "publisher",
                "display": self.peer,
                "audio": True,
                "video": True,
            },
            {"type": "offer", "sdp": sdp},
        )
        self.feed = int(data.get("id") or 0)
        self.audio_mid = audio_mid(sdp)
        return str(data["jsep"]["sdp"])

    async def feeds(self) -> dict[str, int]:
        """Who publishes in the room now: peer id -> feed."""
        data = await self.janus.ask(
            self.publisher, {"request": "listparticipants", "room": self.room}
        )
        return {
            str(p.get("display", "")): int(p["id"])
            for p in data.get("participants", [])
            if p.get("publisher") and p.get("display")
        }

    def receives(self, peer: str, feed: int) -> bool:
        """True when this party is offered that feed already."""
        return peer in self.receiving and self.receiving[peer][1] == feed

    async def receive(self, peer: str, feed: int) -> str:
        """Janus's offer of another party's picture and voice (a handle of its own)."""
        await self.stop_receiving(peer)
        handle = await self.janus.attach()
        self.receiving[peer] = (handle, feed)
        data = await self.janus.ask(
            handle,
            {
                "request": "join",
                "room": self.room,
                "ptype": "subscriber",
                "streams": [{"feed": feed}],
            },
        )
        return str(data["jsep"]["sdp"])

    async def answer(self, peer: str, sdp: str) -> None:
        """The party's answer to Janus's offer of `peer`: the media start to flow."""
        if peer in self.receiving:
            handle = self.receiving[peer][0]
            await self.janus.ask(handle, {"request": "start"}, {"type": "answer", "sdp": sdp})

    async def stop_receiving(self, peer: str) -> None:
        """That party left: its handle goes."""
        if peer in self.receiving:
            await self.janus.detach(self.receiving.pop(peer)[0])

    async def moderate(self, muted: bool) -> None:
        """Turn the party's own voice off (or on) at the SFU: nobody receives it meanwhile."""
        await self.janus.ask(
            self.publisher,
            {
                "request": "moderate",
                "room": self.room,
                "secret": self.settings.room_secret(self.mediation_id),
                "id": self.feed,
                "mid": self.audio_mid,
                "mute": muted,
            },
        )

    async def close(self) -> None:
        """Leave the room; the last to leave takes the room away."""
        with contextlib.suppress(SfuError):
            if self.publisher:
                left = await self.feeds()
                left.pop(self.peer, None)
                if not left:
                    await self.janus.ask(
                        self.publisher,
                        {
                            "request": "destroy",
                            "room": self.room,
                            "secret": self.settings.room_secret(self.mediation_id),
                        },
                    )
        await self.janus.close()


def audio_mid(sdp: str) -> str:
    """The `a=mid` of the offer's audio line ("0" if it has none)."""
    kind = ""
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split(" ", 1)[0]
        elif kind == "audio" and line.startswith("a=mid:"):
            return line.removeprefix("a=mid:").strip()
    return "0"


def janus_config(
    folder: Path,
    *,
    port: int,
    admin_port: int,
    admin_secret: str,
    room_key: str,
    rtp_ports: tuple[int, int] = (20000, 20999),
    interfaces: str = "",
    recordings: Path | None = None,
) -> Path:
    """Write Janus's configuration into `folder`: the VideoRoom plugin alone, its HTTP API and
    admin API on loopback only, tokens required; returns the folder for `janus -F`."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # the admin secret is in it
    libs = Path("/usr/lib/x86_64-linux-gnu/janus")
    for candidate in Path("/usr/lib").glob("*/janus"):
        libs = candidate
    enforce = f'\tice_enforce_list = "{interfaces}"\n' if interfaces else ""
    (folder / "janus.jcfg").write_text(
        "general: {\n"
        f'\tconfigs_folder = "{folder}"\n'
        f'\tplugins_folder = "{libs}/plugins"\n'
        f'\ttransports_folder = "{libs}/transports"\n'
        f'\tevents_folder = "{libs}/events"\n'
        f'\tloggers_folder = "{libs}/loggers"\n'
        "\tdebug_level = 3\n"
        "\ttoken_auth = true\n"
        f'\tadmin_secret = "{admin_secret}"\n'
        '\tserver_name = "mediation-sfu"\n'
        "\tsession_timeout = 60\n"
        "}\n"
        f'media: {{\n\trtp_port_range = "{rtp_ports[0]}-{rtp_ports[1]}"\n}}\n'
        f'nat: {{\n\tice_ignore_list = "vmnet"\n{enforce}\tfull_trickle = false\n}}\n'
        'plugins: {\n\tdisable = "' + ",".join(_OTHER_PLUGINS) + '"\n}\n'
        'transports: {\n\tdisable = "' + ",".join(_OTHER_TRANSPORTS) + '"\n}\n'
        'loggers: {\n\tdisable = "libjanus_jsonlog.so"\n}\n'
        "events: {\n\tbroadcast = false\n}\n"
    )
    (folder / "janus.transport.http.jcfg").write_text(
        "general: {\n"
        '\tjson = "plain"\n\tbase_path = "/janus"\n\thttp = true\n'
        f'\tport = {port}\n\tip = "127.0.0.1"\n\thttps = false\n'
        "}\n"
        "admin: {\n"
        '\tadmin_base_path = "/admin"\n\tadmin_http = true\n'
        f'\tadmin_port = {admin_port}\n\tadmin_ip = "127.0.0.1"\n\tadmin_https = false\n'
        "}\n"
    )
    if recordings is not None:  # Janus writes each party's recording there (`Seat.record`)
        recordings.mkdir(parents=True, exist_ok=True)
    (folder / "janus.plugin.videoroom.jcfg").write_text(
        f'general: {{\n\tadmin_key = "{room_key}"\n\tlock_rtp_forward = true\n}}\n'
    )
    return folder


_OTHER_PLUGINS = [
    f"libjanus_{name}.so"
    for name in [
        *("audiobridge", "echotest", "recordplay", "sip", "streaming", "textroom"),
        *("videocall", "voicemail", "nosip", "duktape", "lua"),
    ]
]
_OTHER_TRANSPORTS = [
    f"libjanus_{name}.so" for name in ("websockets", "mqtt", "nanomsg", "pfunix", "rabbitmq")
]
