"""Handing a fax-ready TIFF to the site's fax system, and hearing whether it was accepted.

Three kinds of gateway, chosen in the site's settings:

- :class:`HotFolderGateway` — most fax servers watch an outbound folder; the file name
  carries the number.
- :class:`CommandGateway` — a ``sendfax``-style program, run with an argument list (never
  through a shell: a number or a path can never become a command).
- :class:`SmtpGateway` — an e-mail-to-fax service: the TIFF attached to a message sent to
  ``<number>@<fax domain>``, over TLS.

"Accepted by the gateway" is what counts as delivered for the release step (the fax
server owns retries from then on). Every failure is a :class:`FaxGatewayError` whose
message a clerk can act on; the caller records it and the request stays unreleased.
Nothing here writes PHI anywhere but the destination the site configured.
"""

from __future__ import annotations

import errno
import ipaddress
import smtplib
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from roi_desk.delivery.electronic import ExportError, write_atomically
from roi_desk.errors import DiskFullError, RoiError, ValidationError
from roi_desk.storage.files import remove_partials

__all__ = [
    "CommandGateway",
    "FaxGateway",
    "FaxGatewayError",
    "FaxJob",
    "GatewayReceipt",
    "HotFolderGateway",
    "SmtpGateway",
]


class FaxGatewayError(RoiError):
    title = "Fax not sent"


@dataclass(frozen=True)
class FaxJob:
    """One fax: the TIFF Class F bytes and where it goes. ``reference`` is our request
    number (it identifies the request, not the patient) and ``job_id`` a unique token."""

    tiff: bytes
    number: str  # 10 digits, already verified
    pages: int
    reference: str
    job_id: str


@dataclass(frozen=True)
class GatewayReceipt:
    """The gateway took the fax. ``detail`` is its own words (a queue id), for the record."""

    gateway: str
    target: str
    detail: str = ""


class FaxGateway(Protocol):
    name: str

    def send(self, job: FaxJob) -> GatewayReceipt: ...


def _safe(text: str) -> str:
    """Letters, digits and - _ only: file names and e-mail subjects carry no free text."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:60]


@dataclass
class HotFolderGateway:
    """Drops ``<number>_<reference>_<job>.tif`` into the fax server's watched folder.

    ``folder`` is the site's configured outbound spool of its fax server: a deliberate
    destination for the packet, like a printer, not a temp folder. The file is written
    under a hidden temporary name in that same folder and renamed into place, so the
    server never picks up half a fax.
    """

    folder: Path
    name_template: str = "{number}_{reference}_{job}.tif"
    name: str = "hot folder"

    def __post_init__(self) -> None:
        # start-up: a fax image half-written when ROI Desk was killed is PHI; remove it
        remove_partials([self.folder])

    def send(self, job: FaxJob) -> GatewayReceipt:
        filename = self.name_template.format(
            number=job.number, reference=_safe(job.reference), job=_safe(job.job_id)
        )
        if "/" in filename or "\\" in filename or filename.startswith("."):
            raise ValidationError("The fax hot folder's file name pattern is not valid.")
        try:
            path = write_atomically(self.folder, filename, job.tiff)
        except DiskFullError as exc:
            raise FaxGatewayError(
                "The fax server's folder is full; the fax was not queued. Tell IT, then try again."
            ) from exc
        except ExportError as exc:
            raise FaxGatewayError(
                f"The fax server's folder cannot be reached ({exc.message}) The fax was not queued."
            ) from exc
        return GatewayReceipt(self.name, job.number, f"queued as {path.name}")


@dataclass
class CommandGateway:
    """Runs a sendfax-style program: ``argv`` with ``{number}``, ``{file}``, ``{reference}``.

    With ``{file}`` in ``argv`` the TIFF is first written (atomically) to ``spool_folder``,
    the site's outbound spool for that program; without it the TIFF goes to the program's
    standard input. Exit status 0 means accepted; the first line of its output is kept as
    the gateway's reference.
    """

    argv: Sequence[str]
    spool_folder: Path | None = None
    timeout: float = 60.0
    name: str = "fax command"

    def send(self, job: FaxJob) -> GatewayReceipt:
        if not self.argv:
            raise ValidationError("No fax command is configured. Ask an administrator.")
        wants_file = any("{file}" in arg for arg in self.argv)
        values = {"number": job.number, "reference": _safe(job.reference), "file": ""}
        stdin: bytes | None = job.tiff
        if wants_file:
            if self.spool_folder is None:
                raise ValidationError(
                    "The fax command needs a spool folder for its files. Ask an administrator "
                    "to set one."
                )
            try:
                path = write_atomically(
                    self.spool_folder, f"{_safe(job.reference)}_{_safe(job.job_id)}.tif", job.tiff
                )
            except (ExportError, DiskFullError) as exc:
                raise FaxGatewayError(f"The fax could not be spooled: {exc.message}") from exc
            values["file"] = str(path)
            stdin = None
        args = [arg.format(**values) for arg in self.argv]
        try:
            done = subprocess.run(
                args,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                shell=False,
            )
        except FileNotFoundError as exc:
            raise FaxGatewayError(
                f"The fax program {self.argv[0]!r} is not installed on this computer."
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise FaxGatewayError(
                "The fax program did not answer in time; the fax may not have been queued. "
                "Check the fax server's queue before sending again."
            ) from exc
        except OSError as exc:
            raise FaxGatewayError("The fax program could not be started.") from exc
        out = done.stdout.decode("utf-8", "replace").strip()
        err = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode != 0:
            reason = (err or out).splitlines()[0][:200] if (err or out) else ""
            raise FaxGatewayError(
                f"The fax program refused the fax (exit status {done.returncode})."
                + (f" It said: {reason}" if reason else "")
            )
        first = out.splitlines()[0][:200] if out else "accepted"
        return GatewayReceipt(self.name, job.number, first)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SmtpGateway:
    """E-mail-to-fax: the TIFF attached to a message for ``<number>@<fax_domain>``.

    TLS is required (``STARTTLS``, or implicit TLS with ``implicit_tls``), because the
    attachment is PHI crossing a network (45 CFR 164.312(e)(1)). Plain SMTP is allowed only
    to a relay on this computer (loopback), e.g. a local encrypting relay or a test server.
    The subject carries only our request number, never the patient.
    """

    host: str
    port: int
    sender: str
    fax_domain: str
    starttls: bool = True
    implicit_tls: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = None
    name: str = "e-mail to fax"

    def _recipient(self, number: str) -> str:
        return f"{number}@{self.fax_domain}"

    def send(self, job: FaxJob) -> GatewayReceipt:
        secure = self.starttls or self.implicit_tls
        if not secure and not _is_loopback(self.host):
            raise ValidationError(
                "The e-mail-to-fax gateway must use TLS; plain SMTP is allowed only to this "
                "computer. Ask an administrator to correct the fax settings."
            )
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self._recipient(job.number)
        message["Subject"] = f"Fax {_safe(job.reference)}"
        message.set_content(f"Fax of {job.pages} pages. Reference {_safe(job.reference)}.\n")
        message.add_attachment(
            job.tiff, maintype="image", subtype="tiff", filename=f"{_safe(job.reference)}.tif"
        )
        context = self.ssl_context or ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.starttls and not self.implicit_tls:
                    client.starttls(context=context)
                    client.ehlo()
                if self.username:
                    client.login(self.username, self.password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise FaxGatewayError(
                "The e-mail-to-fax service refused the fax number. Check the number and the "
                "fax settings."
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise FaxGatewayError(
                "The e-mail-to-fax service refused our sign-in. Ask an administrator to check "
                "the fax settings."
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise FaxGatewayError(
                "The e-mail-to-fax service does not offer encryption (STARTTLS); the fax was "
                "not sent."
            ) from exc
        except smtplib.SMTPException as exc:
            raise FaxGatewayError(
                f"The e-mail-to-fax service did not accept the fax ({type(exc).__name__})."
            ) from exc
        except ssl.SSLError as exc:
            raise FaxGatewayError(
                "The secure connection to the e-mail-to-fax service failed; the fax was not sent."
            ) from exc
        except TimeoutError as exc:
            raise FaxGatewayError(
                "The e-mail-to-fax service did not answer in time; the fax was not sent."
            ) from exc
        except OSError as exc:
            if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
                raise FaxGatewayError(
                    "The e-mail-to-fax service cannot be reached. Check the network and try again."
                ) from exc
            raise FaxGatewayError("The e-mail-to-fax service cannot be reached.") from exc
        if refused:
            raise FaxGatewayError("The e-mail-to-fax service refused the fax number.")
        return GatewayReceipt(self.name, job.number, f"accepted by {self.host}")
