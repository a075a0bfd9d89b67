"""The call's recording, with everyone's consent: Janus records each party's picture and
voice while every party in the call agrees (the consumer agreed when filing, the staff by
their work, the merchant on the link's page), and pauses whenever one does not. After the
call each party's segments become one WebM file (janus-pp-rec turns Janus's recordings into
VP8 and Opus, PyAV puts the two in one file), attached to the case and played on its page;
kept as long as the privacy notice says (three years after the case closes), then deleted.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.mediation import Mediation
from hub.sfu import SfuSettings
from hub.store import Base, Complaint, UtcDateTime, utcnow
from protocol.states import MediationState

log = logging.getLogger(__name__)

#: As the privacy notice says: three years after the case closes.
KEPT_AFTER_CLOSE = dt.timedelta(days=3 * 365)
#: At most this many parties' recordings are made into files a round.
COLLECT_BATCH = 8
#: A stretch shorter than this (a pause and a resume at once) is no record of anything.
SHORTEST_S = 1.0
#: Recording files in a call still under way are left alone.
OVER = (MediationState.ENDED, MediationState.LEFT)


class CallRecording(Base):
    """One party's recording of a mediation call (a stretch between pauses), as one WebM
    file."""

    __tablename__ = "call_recordings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    mediation_id: Mapped[str] = mapped_column(ForeignKey("mediations.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    role: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: The file's name under the recordings folder's `kept/`.
    file: Mapped[str] = mapped_column(String(80))


def segment_name(settings: SfuSettings, mediation_id: str, peer: str, number: int) -> str:
    """Where Janus writes a party's recording (it adds `-audio-N.mjr`, `-video-N.mjr`)."""
    return str(Path(settings.recordings) / f"{mediation_id}-{peer}-{number:03d}")


def kept_path(settings: SfuSettings, recording: CallRecording) -> Path:
    """The recording's file."""
    return Path(settings.recordings) / "kept" / recording.file


def of_case(session: Session, case_number: str) -> list[CallRecording]:
    """The case's recordings, oldest first."""
    return list(
        session.scalars(
            select(CallRecording)
            .where(CallRecording.case_number == case_number)
            .order_by(CallRecording.made_at, CallRecording.role)
        )
    )


def collect(session: Session, settings: SfuSettings | None) -> int:
    """Make the recordings of calls that are over into files on their cases; how many."""
    if settings is None or not settings.recordings or shutil.which("janus-pp-rec") is None:
        return 0
    folder = Path(settings.recordings)
    # One segment a party and a stretch of recording (a pause starts the next).
    segments: dict[tuple[str, str], list[Path]] = {}
    for mjr in sorted(folder.glob("*.mjr")):
        mediation_id, _, rest = mjr.name.partition("-")
        segments.setdefault((mediation_id, "-".join(rest.split("-")[:3])), []).append(mjr)
    made = 0
    for (mediation_id, segment), files in list(segments.items())[:COLLECT_BATCH]:
        peer = segment.rsplit("-", 1)[0]
        mediation = session.get(Mediation, mediation_id)
        if mediation is not None and mediation.now not in OVER:
            continue  # the call goes on
        if mediation is not None:
            kept = _into_one(files, folder / "kept")
            if kept is not None and kept[1] < SHORTEST_S:
                (folder / "kept" / kept[0]).unlink(missing_ok=True)
            elif kept is not None:
                name, seconds = kept
                session.add(
                    CallRecording(
                        id=secrets.token_hex(16),
                        mediation_id=mediation_id,
                        case_number=mediation.case_number,
                        role=peer.split("-", 1)[0],
                        seconds=seconds,
                        made_at=utcnow(),
                        file=name,
                    )
                )
                made += 1
        for mjr in files:
            mjr.unlink(missing_ok=True)
    return made


def _into_one(files: list[Path], kept: Path) -> tuple[str, float] | None:
    """One party's segment (a video and an audio `.mjr`) as one WebM file; its name and
    length in seconds, or None if nothing could be read."""
    import av

    kept.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="recording-") as work:
        inputs: list[Path] = []
        for mjr in files:
            out = Path(work) / (mjr.stem + (".webm" if "-video-" in mjr.name else ".opus"))
            done = subprocess.run(
                ["janus-pp-rec", str(mjr), str(out)], capture_output=True, timeout=300, check=False
            )
            if done.returncode == 0 and out.exists() and out.stat().st_size > 0:
                inputs.append(out)
            else:
                log.warning("recording: janus-pp-rec could not read %s", mjr.name)
        video = next((p for p in inputs if p.suffix == ".webm"), None)
        audio = next((p for p in inputs if p.suffix == ".opus"), None)
        if video is None and audio is None:
            return None
        name = f"{secrets.token_hex(16)}.webm"
        seconds = _mux([p for p in (video, audio) if p is not None], kept / name, av)
        return name, seconds


def _mux(sources: list[Path], target: Path, av: Any) -> float:
    """The sources' streams in one WebM, their packets interleaved by time."""
    out = av.open(str(target), "w", format="webm")
    opened = [av.open(str(source)) for source in sources]
    try:
        streams = []
        for container in opened:
            stream = container.streams[0]
            streams.append((container, stream, out.add_stream_from_template(stream)))
        queue: list[tuple[float, int, Any]] = []
        iterators = [container.demux(stream) for container, stream, _ in streams]

        def push(index: int) -> None:
            for packet in iterators[index]:
                if packet.dts is not None:
                    time = float(packet.dts * packet.time_base)
                    heapq.heappush(queue, (time, index, packet))
                    return

        for index in range(len(streams)):
            push(index)
        end = 0.0
        while queue:
            time, index, packet = heapq.heappop(queue)
            end = max(end, time)
            packet.stream = streams[index][2]
            out.mux(packet)
            push(index)
        return round(end, 1)
    finally:
        out.close()
        for container in opened:
            container.close()


def expire(session: Session, settings: SfuSettings | None, now: dt.datetime | None = None) -> int:
    """Delete the recordings of cases closed longer ago than the privacy notice keeps them."""
    cutoff = (now or utcnow()) - KEPT_AFTER_CLOSE
    old = session.scalars(
        select(CallRecording)
        .join(Complaint, Complaint.case_number == CallRecording.case_number)
        .where(Complaint.finished_at.is_not(None), Complaint.finished_at < cutoff)
        .limit(100)
    ).all()
    for recording in old:
        if settings is not None and settings.recordings:
            kept_path(settings, recording).unlink(missing_ok=True)
        session.delete(recording)
    return len(old)
