"""The kiosk's client of the hub: every call with a timeout, errors sorted for the caller.

The client takes a `requests.Session`, the point where tests cut in: a real hub on loopback,
or a proxy that breaks connections. It never retries by itself; the sync worker decides
when to try again, honouring the hub's Retry-After.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from kiosk.enrollment import Credential
    from kiosk.settings import Settings

from protocol.wire import (
    API_PREFIX,
    AttachmentRef,
    AttachmentStored,
    AuditBatch,
    AuditReceived,
    CallbackPromise,
    CaseLookup,
    ComplaintBody,
    ComplaintFiled,
    Enrolled,
    Enrollment,
    Heartbeat,
    HeartbeatReply,
    HelpRequest,
    HelpRequestReceived,
    LogReceived,
    LogUpload,
    MediationAgreement,
    MediationRequest,
    MediationTicket,
    RoomSettings,
)

Model = TypeVar("Model", bound=BaseModel)

#: Seconds to wait for a connection, and for an answer (files get longer).
CONNECT_TIMEOUT = 5.0
ANSWER_TIMEOUT = 15.0
UPLOAD_TIMEOUT = 60.0


class HubError(Exception):
    """The hub could not be asked, or said no."""


class HubUnavailable(HubError):
    """The hub did not answer usefully this time (network, timeout, 5xx, 429); try later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


#: Refusals that mean "this connection is not safe": send nothing, keep everything.
INSECURE = frozenset({"tls", "plain-http"})


class HubRefused(HubError):
    """The hub answered with a problem (4xx) that trying again will not change."""

    def __init__(self, status: int, kind: str, title: str, detail: str) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.kind = kind.rsplit("/", 1)[-1]
        self.title = title
        self.detail = detail


def is_secure_or_local(url: str) -> bool:
    """True for an https:// address, or a plain one on this machine (loopback)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HubClient:
    """Talks to one hub as one enrolled kiosk (or, for enrollment, as nobody yet)."""

    def __init__(
        self,
        base_url: str,
        credential: str | None = None,
        session: requests.Session | None = None,
        verify: bool | str = True,
        answer_timeout: float = ANSWER_TIMEOUT,
        upload_timeout: float = UPLOAD_TIMEOUT,
        allow_plain_http: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: Plain http:// is for a hub on this machine, or a demo; anywhere else the
        #: credential and the complaints would cross the network readable by anyone.
        self.allow_plain_http = allow_plain_http
        self.credential = credential
        self.session = session or requests.Session()
        self.verify = verify
        self.answer_timeout = answer_timeout
        self.upload_timeout = upload_timeout

    def health(self) -> bool:
        """True when the hub answers and reaches its database."""
        self._call("GET", "/health", authenticated=False)
        return True

    def enroll(self, code: str, kiosk_version: str = "") -> Enrolled:
        """Spend a one-time code; returns the device id, credential and room settings."""
        body = Enrollment(code=code, kiosk_version=kiosk_version)
        answer = self._call("POST", "/enrollments", json=body.model_dump(), authenticated=False)
        return _parse(Enrolled, answer)

    def room_settings(self) -> RoomSettings:
        """The settings of this kiosk's room."""
        return _parse(RoomSettings, self._call("GET", "/settings"))

    def heartbeat(self, beat: Heartbeat) -> HeartbeatReply:
        """Say the kiosk is alive; the answer carries the room settings' version."""
        return _parse(
            HeartbeatReply, self._call("POST", "/heartbeat", json=beat.model_dump(mode="json"))
        )

    def put_attachment(self, uuid: str, ref: AttachmentRef, path: Path) -> AttachmentStored:
        """Upload one file of a complaint."""
        data = path.read_bytes()
        answer = self._call(
            "PUT",
            f"/complaints/{uuid}/attachments/{ref.sha256}",
            data=data,
            headers={"Content-Type": ref.content_type},
            timeout=self.upload_timeout,
        )
        return _parse(AttachmentStored, answer)

    def put_complaint(self, uuid: str, body: ComplaintBody) -> ComplaintFiled:
        """File a complaint (idempotent: the same complaint again gets the first answer)."""
        answer = self._call("PUT", f"/complaints/{uuid}", json=body.model_dump(mode="json"))
        return _parse(ComplaintFiled, answer)

    def case(self, number: str) -> CaseLookup:
        """A case's status and next step, by case or receipt number."""
        return _parse(CaseLookup, self._call("GET", f"/cases/{number}"))

    def post_audit(self, batch: AuditBatch) -> AuditReceived:
        """Send audit entries (each kept once on the hub, however often sent)."""
        answer = self._call("POST", "/audit", json=batch.model_dump(mode="json"))
        return _parse(AuditReceived, answer)

    def post_help_request(self, request: HelpRequest) -> HelpRequestReceived:
        """Tell the hub a consumer called for help."""
        answer = self._call("POST", "/help-requests", json=request.model_dump(mode="json"))
        return _parse(HelpRequestReceived, answer)

    def upload_log(self, text: str) -> LogReceived:
        """Send the kiosk's log to the hub, for a technician far away."""
        answer = self._call(
            "POST",
            "/logs",
            json=LogUpload(text=text).model_dump(),
            timeout=self.upload_timeout,
        )
        return _parse(LogReceived, answer)

    def join_mediation(self, number: str, mobile_last4: str = "") -> MediationTicket:
        """Join the mediation queue for a case: by its receipt number, or by its case number
        with the last four digits of the mobile number filed with it."""
        body = MediationRequest(number=number, mobile_last4=mobile_last4).model_dump()
        return _parse(MediationTicket, self._call("POST", "/mediations", json=body))

    def mediation(self, mediation_id: str) -> MediationTicket:
        """The kiosk's place in the queue now, or the outcome once recorded."""
        return _parse(MediationTicket, self._call("GET", f"/mediations/{mediation_id}"))

    def leave_mediation(self, mediation_id: str) -> None:
        """Leave the mediation queue (or the call)."""
        self._call("DELETE", f"/mediations/{mediation_id}")

    def ask_callback(self, mediation_id: str) -> CallbackPromise:
        """Ask to be telephoned about the case instead of waiting; the number, masked."""
        answer = self._call("POST", f"/mediations/{mediation_id}/callback")
        return _parse(CallbackPromise, answer)

    def mediation_agreement(self, mediation_id: str) -> MediationAgreement:
        """The agreement a settled outcome became, for the consumer to confirm."""
        return _parse(
            MediationAgreement, self._call("GET", f"/mediations/{mediation_id}/agreement")
        )

    def confirm_agreement(self, mediation_id: str) -> MediationAgreement:
        """The consumer confirms the agreement (a tap at the kiosk)."""
        return _parse(
            MediationAgreement,
            self._call("POST", f"/mediations/{mediation_id}/agreement/confirm"),
        )

    def rate_mediation(self, mediation_id: str, score: int) -> None:
        """The consumer's satisfaction with the mediation (1..3)."""
        self._call("PUT", f"/mediations/{mediation_id}/rating", json={"score": score})

    def _call(
        self,
        method: str,
        path: str,
        authenticated: bool = True,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        if not (self.allow_plain_http or is_secure_or_local(self.base_url)):
            raise HubRefused(
                0,
                "plain-http",
                "Not a secure connection",
                f"{self.base_url} is plain http://: give the hub's https:// address "
                "(plain http is only for a hub on this machine, or the demo).",
            )
        headers = dict(headers or {})
        if authenticated:
            if not self.credential:
                raise HubRefused(401, "not-enrolled", "Not enrolled", "This kiosk is not enrolled.")
            headers["Authorization"] = f"Bearer {self.credential}"
        try:
            response = self.session.request(
                method,
                self.base_url + API_PREFIX + path,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, timeout or self.answer_timeout),
                verify=self.verify,
                **kwargs,
            )
        except requests.exceptions.SSLError as error:
            raise HubRefused(0, "tls", "Secure connection failed", str(error)) from error
        except requests.RequestException as error:
            raise HubUnavailable(f"{type(error).__name__}: {error}") from error
        # 409 with Retry-After: the hub is busy with the same complaint; not a refusal.
        busy = response.status_code == 409 and "Retry-After" in response.headers
        # 429 is the hub holding back load, except for too many wrong numbers tried to open
        # a mediation: that refusal the consumer is told of.
        held = response.status_code == 429 and "too-many-tries" not in response.text
        if busy or held or response.status_code >= 500:
            raise HubUnavailable(
                f"the hub answered {response.status_code}",
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 400:
            try:
                problem = response.json()
                raise HubRefused(
                    response.status_code,
                    str(problem.get("type", "")),
                    str(problem.get("title", "")),
                    str(problem.get("detail", "")),
                )
            except (ValueError, AttributeError):
                # Not the hub's problem JSON: something between us (a proxy) answered.
                raise HubUnavailable(f"the hub answered {response.status_code}") from None
        return response


def _parse(model: type[Model], response: requests.Response) -> Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        # A cut or garbled answer: the request may or may not have happened; try again.
        raise HubUnavailable(f"the hub's answer could not be read: {error}") from error


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds, from either of its two forms (seconds, or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def connect(
    to: str | Credential,
    settings: Settings | None = None,
    answer_timeout: float = ANSWER_TIMEOUT,
) -> HubClient:
    """The one way the kiosk makes its hub client: to an address (to enroll), or as the
    enrolled kiosk (its credential); trusting the settings' CA file, and plain http:// only
    on this machine or in the demo."""
    verify: bool | str = (settings.hub_ca_file if settings is not None else "") or True
    demo = settings is not None and settings.demo
    if isinstance(to, str):
        return HubClient(to, verify=verify, answer_timeout=answer_timeout, allow_plain_http=demo)
    return HubClient(
        to.hub_url,
        to.secret,
        verify=verify,
        answer_timeout=answer_timeout,
        allow_plain_http=demo,
    )
