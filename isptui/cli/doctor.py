"""``isptui doctor``: why a connection works or not, one line per check, in the order things can break.

config file → secret references → DNS → TCP → TLS → authentication → clock skew → what the server allows →
read-only state. A check whose prerequisite failed is skipped (and counts as not passed). Exit 0 only
when every check passes, 2 when the configuration itself is wrong, 1 otherwise. Authentication and the
capability probe go through the normal connect path, so they inherit the trust boundary and the guards;
DNS, TCP and TLS are probed directly and send nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import ssl
import stat
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from isptui.cli.common import add_connection_args
from isptui.cli.errors import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, CliError

if TYPE_CHECKING:
    from isptui.backends.base import Backend, BackendSettings
    from isptui.config.profiles import Profile
    from isptui.http.log import RequestLog

MAX_SKEW_S = 120
"""Beyond this, Splynx signatures (and any time-limited token) start failing."""
EXPIRY_WARN_DAYS = 14
CAPABILITY_COLLECTIONS = 3


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    ms: float = 0.0
    fix: str = ""
    skipped: bool = False

    def line(self) -> str:
        from isptui.text import clean  # the one sanitizer for text that may come from a server

        mark = "–" if self.skipped else "✔" if self.ok else "✘"
        text = f"{mark} {self.name:<12} {self.ms:>6.0f} ms  {clean(self.detail)}"
        if self.fix and not self.ok:
            text += f" — {clean(self.fix)}"
        return text


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="diagnose a connection: config, secrets, DNS, TCP, TLS, auth, clock")
    add_connection_args(parser, or_profile=True)
    parser.add_argument("--format", dest="fmt", choices=("text", "json"), default="text")


class Doctor:
    """Runs the checks in order; each one appends a Check and says whether the next may run."""

    def __init__(self, args: argparse.Namespace, environ: dict[str, str] | None = None) -> None:
        self.args = args
        self.environ = dict(os.environ if environ is None else environ)
        self.checks: list[Check] = []
        self.usage_error = False

    def _timed(self, name: str, probe: Callable[[], tuple[bool, str, str]]) -> bool:
        started = time.perf_counter()
        ok, detail, fix = probe()
        self.checks.append(Check(name, ok, detail, (time.perf_counter() - started) * 1000, fix))
        return ok

    def _skip(self, *names: str, because: str) -> None:
        for name in names:
            self.checks.append(Check(name, False, f"skipped ({because} failed)", skipped=True))

    # -- the checks ----------------------------------------------------------------------------------
    def run(self) -> list[Check]:
        from isptui.config.errors import ConfigError

        later = ("secrets", "dns", "tcp", "tls", "auth", "clock", "allows", "read-only")
        profile: Profile | None = None

        def config() -> tuple[bool, str, str]:
            nonlocal profile
            from isptui.cli.common import profile_or_flags
            from isptui.config.paths import config_path

            path = config_path(self.environ)
            try:
                profile = profile_or_flags(self.args)
            except CliError as exc:
                self.usage_error = True
                return False, exc.message.removeprefix("isptui: "), "fix the configuration (isptui config check)"
            if not path.exists():
                return True, f"no config file at {path}; using flags and the environment", ""
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & (stat.S_IWGRP | stat.S_IWOTH):
                self.usage_error = True
                return False, f"{path} is writable by other users (mode {mode:o})", f"chmod 600 {path}"
            return True, f"{path} (mode {mode:o})", ""

        if not self._timed("config", config) or profile is None:
            self._skip(*later, because="config")
            return self.checks
        settings: BackendSettings | None = None

        def secrets() -> tuple[bool, str, str]:
            nonlocal settings
            from isptui.cli.connect import settings_for
            from isptui.http.log import RequestLog

            refs = [c.key for c in profile.descriptor.credentials  # type: ignore[union-attr]
                    if c.secret and profile.credential(c.key) is not None]  # type: ignore[union-attr]
            try:
                settings = settings_for(profile, request_log=RequestLog())  # type: ignore[arg-type]
            except ConfigError as exc:
                self.usage_error = True
                return False, exc.message, "set the variable, or fix the reference in the profile"
            names = ", ".join(refs) if refs else "none needed"
            return True, f"resolvable: {names} (values not shown)", ""

        if not self._timed("secrets", secrets) or settings is None:
            self._skip(*later[1:], because="secrets")
            return self.checks
        parts = urlsplit(profile.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses: list[tuple[Any, ...]] = []

        def dns() -> tuple[bool, str, str]:
            try:
                found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                return False, f"{host}: name not resolved ({exc.strerror or exc})", "check the host name in --url"
            addresses.extend(info[4] for info in found)
            shown = ", ".join(sorted({str(a[0]) for a in addresses})[:3])
            return True, f"{host} → {shown}", ""

        if not self._timed("dns", dns):
            self._skip(*later[2:], because="dns")
            return self.checks

        def tcp() -> tuple[bool, str, str]:
            last: OSError | None = None
            for address in addresses:
                try:
                    with socket.create_connection(address[:2], timeout=min(profile.timeout, 10)):  # type: ignore[union-attr]
                        return True, f"connected to {address[0]}:{address[1]}", ""
                except OSError as exc:
                    last = exc
            reason = (last.strerror if last and last.strerror else str(last)) or "no address"
            return False, f"cannot connect to {host}:{port}: {reason}", "is the server running and the URL right?"

        if not self._timed("tcp", tcp):
            self._skip(*later[3:], because="tcp")
            return self.checks

        def tls() -> tuple[bool, str, str]:
            if parts.scheme != "https":
                return True, "plain HTTP: credentials and data travel unencrypted (fine on a lab or loopback)", ""
            return _tls_check(host, port, profile)  # type: ignore[arg-type]

        if not self._timed("tls", tls):
            self._skip(*later[4:], because="tls")
            return self.checks
        asyncio.run(self._connected_checks(profile, settings))
        return self.checks

    async def _connected_checks(self, profile: Profile, settings: BackendSettings) -> None:
        from isptui.cli.connect import ConnectFailed, connect_with

        log: RequestLog = settings.request_log  # type: ignore[assignment]
        started = time.perf_counter()
        try:
            backend = await connect_with(profile, settings)
        except ConnectFailed as exc:
            ms = (time.perf_counter() - started) * 1000
            message = exc.message.split(": ", 2)[-1]
            # connect's one line already says what to try.
            self.checks.append(Check("auth", False, message, ms))
            # The clock may still be readable from the refused answer, and skew is a cause of refusals.
            self.checks.append(self._clock(log))
            self._skip("allows", "read-only", because="auth")
            return
        try:
            ms = (time.perf_counter() - started) * 1000
            self.checks.append(Check("auth", True, f"{backend.title or backend.name} accepted the credentials", ms))
            self.checks.append(self._clock(log))
            self.checks.append(await self._allows(backend, log))
            self.checks.append(self._read_only(profile, backend))
        finally:
            with contextlib.suppress(Exception):
                await backend.close()

    def _clock(self, log: RequestLog) -> Check:
        started = time.perf_counter()
        for exchange in reversed(log.entries()):
            value = next((v for k, v in exchange.response_headers if k.lower() == "date"), None)
            if not value:
                continue
            try:
                server = parsedate_to_datetime(value).timestamp()
            except (TypeError, ValueError):
                continue
            skew = server - exchange.started_at.timestamp() - exchange.duration_ms / 2000
            ms = (time.perf_counter() - started) * 1000
            ahead = "ahead of" if skew > 0 else "behind"
            if abs(skew) > MAX_SKEW_S:
                return Check("clock", False, f"server clock is {abs(skew):.0f} s {ahead} this machine", ms,
                             "fix NTP on the server or here; Splynx signatures fail beyond a few minutes")
            return Check("clock", True, f"server clock within {max(abs(skew), 1):.0f} s of this machine", ms)
        return Check("clock", True, "the server sends no Date header; skew unknown", 0.0)

    async def _allows(self, backend: Backend, log: RequestLog) -> Check:
        from isptui.errors import BackendError
        from isptui.http import send
        from isptui.model import PageRequest

        started = time.perf_counter()
        try:
            entries = (await backend.discover())[:CAPABILITY_COLLECTIONS]
        except BackendError as exc:
            return Check("allows", False, f"cannot list the collections: {exc.message}",
                         (time.perf_counter() - started) * 1000, "the credentials may lack permission")
        found: list[str] = []
        failed: list[str] = []
        client = getattr(backend, "client", None)
        for entry in entries:
            before = log.count
            try:
                await backend.list(entry.ref, PageRequest(limit=1))
            except BackendError as exc:
                failed.append(f"{entry.key}: {exc.message}")
                continue
            fresh = [e for e in log.entries() if e.id > before] if hasattr(log, "entries") else []
            url = fresh[-1].url if fresh else ""
            allow = ""
            if client is not None and url:
                with contextlib.suppress(BackendError):
                    response = await send(client, "OPTIONS", url.split("?")[0])
                    allow = response.headers.get("allow", "") if response.status_code < 400 else ""
            caps = backend.capabilities(entry.ref)
            known = ",".join(v for v, on in (("list", caps.can_list), ("create", caps.can_create),
                                            ("update", caps.can_update), ("delete", caps.can_delete)) if on)
            found.append(f"{entry.key}: {'Allow ' + allow.replace(' ', '') if allow else 'no Allow header; isptui knows ' + known}")
        ms = (time.perf_counter() - started) * 1000
        if failed:
            return Check("allows", False, "; ".join(failed), ms, "the credentials lack permission to read these")
        return Check("allows", True, " · ".join(found) or "no collections offered", ms)

    @staticmethod
    def _read_only(profile: Profile, backend: Backend) -> Check:
        if backend.read_only:
            return Check("read-only", True, "read-only: isptui refuses every write (e elevates for a session)")
        production = " (a production profile: consider read_only = true)" if profile.production else ""
        return Check("read-only", True, f"writes allowed{production}")


def _tls_check(host: str, port: int, profile: Profile) -> tuple[bool, str, str]:
    context = ssl.create_default_context(cafile=profile.ca_bundle or None)
    if not profile.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=min(profile.timeout, 10)) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            cert = tls.getpeercert()
            version = tls.version() or "TLS"
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or str(exc)
        return False, f"certificate not trusted: {reason}", \
            "pass --ca-bundle FILE with the server's CA (or --insecure for a lab only)"
    except (ssl.SSLError, OSError) as exc:
        return False, f"TLS handshake failed: {exc}", "is this port serving HTTPS? try http:// in --url"
    if not profile.verify:
        return True, f"{version}; certificate NOT verified (--insecure)", ""
    not_after = cert.get("notAfter") if cert else None
    if not not_after:
        return True, f"{version}; certificate verified", ""
    days = int((ssl.cert_time_to_seconds(str(not_after)) - time.time()) // 86400)
    detail = f"{version}; certificate verified, expires in {days} days"
    if days < EXPIRY_WARN_DAYS:
        return False, detail, "renew the certificate soon"
    return True, detail, ""


def run(args: argparse.Namespace) -> int:
    doctor = Doctor(args)
    checks = doctor.run()
    if args.fmt == "json":
        ok = all(c.ok for c in checks)
        from isptui.text import clean

        rows = [{**asdict(c), "detail": clean(c.detail), "fix": clean(c.fix)} for c in checks]
        print(json.dumps({"ok": ok, "checks": rows}, ensure_ascii=False, indent=2))
    else:
        for check in checks:
            print(check.line(), flush=True)
    if all(c.ok for c in checks):
        return EXIT_OK
    return EXIT_USAGE if doctor.usage_error else EXIT_RUNTIME

