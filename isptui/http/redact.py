"""Redaction of secrets from headers, URLs and bodies before they reach the log, the screen or a curl line.

Two nets, both always applied: field names that look secret (``password``, ``api_token``, ``signature``, …)
have their values replaced wherever a structure is visible (JSON, forms, query strings, auth headers), and
every literal secret the connection knows (plus its URL-, base64- and JSON-escaped forms) is replaced
wherever it appears, so a token echoed inside an HTML error page or a URL path is caught too.

Host names are left alone. The sandbox's Krill password is ``sandbox`` and its URL ``http://sandbox.local``:
masking every literal would show ``http://***.local`` in every log line, preview and journal entry. So a
literal secret that is one whole dot-separated label of a host name ``url()`` has seen (the connection's
own host, the hosts of links it was given) stays readable there, in URLs and free text alike; it is
masked everywhere else, including the userinfo, path, query and body of the same URL. A secret that *is* the whole host name, or only part of a label, is still masked: the first
would print the credential itself, the second is not what a host name looks like. The judgement: the host
is configuration the user typed, and a password that happens to equal one of its labels reveals little.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

from isptui.text import line

MASK = "***"
BODY_LIMIT = 64 * 1024
"""Bodies kept in the request log are cut to this many characters (after redaction)."""

# Literal replacement of very short strings would shred every log line (a 2-character secret matches
# everywhere); such secrets are still caught by field name, just not as free text.
MIN_LITERAL = 4
_MAX_DEPTH = 64
_MARGIN = 4096

_EXACT_NAMES = frozenset({
    "key", "api_key", "apikey", "psw", "signature", "sash", "session_id", "sessionid", "auth",
    "private_key", "secret_key", "access_key", "client_secret", "credentials",
    # simplejwt (Krill) answers a login with ``{"access": <jwt>, "refresh": <jwt>}``.
    "access", "refresh", "jwt", "bearer",
})
_NAME_PARTS = ("password", "passwd", "secret", "token")
# Metadata about a credential (``access_token_expiration``) is useful when debugging auth and is no secret.
_NOT_SECRET_SUFFIXES = ("_expiration", "_expires", "_expires_in", "_expires_at", "_ttl", "_type")
_SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "x-auth-token", "cookie", "set-cookie", "x-api-key",
    "x-api-token", "x-csrf-token", "x-csrftoken", "api-key",
})
_PAREN_AUTH = re.compile(r"^(?P<scheme>[\w.-]+)\s*\((?P<params>.*)\)\s*$", re.S)
# A name starts the text or follows a separator: unanchored, a 1 MB run without "=" (a garbage token in a
# Splynx-EA header) made the scan quadratic, trying every start position to the end.
_QUERYISH = re.compile(r"(?:^|(?<=[&;\s]))(?P<name>[^&=;\s]+)=(?P<value>[^&;\s]*)")
# Names never need escapes (keeps the scan linear); a value may be cut off by the end of a truncated body.
_JSON_PAIR = re.compile(r'"(?P<name>[^"\\]{1,100})"\s*:\s*(?P<value>"(?:[^"\\]|\\.)*(?:"|$)|[-\w.+]+)')
_JSON_SAFE = '{}[]:,"*'
# Compiling an alternation of huge literals is slow (a garbage server can hand out a 1 MB "token"); such
# secrets are replaced with str.replace instead of through the pattern.
_MAX_PATTERN_LITERAL = 2048
_MAX_HOSTS = 16


def _is_label(text: str, start: int, end: int, host_start: int, host_end: int) -> bool:
    """Whether ``text[start:end]`` is whole dot-separated labels of the host at ``host_start:host_end``,
    but not the whole host."""
    if (start, end) == (host_start, host_end):
        return False
    before_ok = start == host_start or text[start - 1] == "."
    after_ok = end == host_end or text[end] == "."
    return before_ok and after_ok


def header_pairs(headers: object) -> list[tuple[str, str]]:
    """httpx headers as (name, value) pairs with the names spelled as sent (httpx lowercases otherwise)."""
    raw = getattr(headers, "raw", None)
    if raw is None:
        return [(str(k), str(v)) for k, v in dict(headers).items()]  # type: ignore[call-overload]
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


@functools.lru_cache(maxsize=4096)  # the request log asks once per JSON key of every body it keeps
def is_secret_name(name: str) -> bool:
    """Whether a field, parameter or header name usually holds a credential (case-insensitive)."""
    norm = name.strip().lower().replace("-", "_")
    # Splynx filters look like ``main_attributes[password]``: the innermost bracket is the field.
    if norm.endswith("]") and "[" in norm:
        norm = norm[norm.rfind("[") + 1 : -1]
    if norm.endswith(_NOT_SECRET_SUFFIXES):
        return False
    if norm in _EXACT_NAMES or norm.endswith("_api_key"):
        return True
    return any(part in norm for part in _NAME_PARTS)


class Redactor:
    """Replaces secrets with ``***``; one per connection, fed the connection's known secrets.

    Auth flows call ``add()`` with tokens learned at run time (access and refresh tokens), so they are
    caught as free text from then on.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._long: list[str] = []
        self._hosts: list[str] = []
        self._host_pattern: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Also redact these literal strings (and their encoded forms) from now on."""
        changed = False
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_LITERAL and secret not in self._secrets:
                self._secrets.add(secret)
                changed = True
        if changed:
            forms: set[str] = set()
            for s in self._secrets:
                forms.update({s, quote(s, safe=""), quote_plus(s), json.dumps(s)[1:-1],
                              base64.b64encode(s.encode()).decode().rstrip("=")})
            ordered = sorted((f for f in forms if len(f) >= MIN_LITERAL), key=len, reverse=True)
            self._long = [f for f in ordered if len(f) > _MAX_PATTERN_LITERAL]
            short = [f for f in ordered if len(f) <= _MAX_PATTERN_LITERAL]
            self._pattern = re.compile("|".join(re.escape(f) for f in short)) if short else None

    def keep_host(self, host: str) -> None:
        """Treat ``host`` as a host name wherever it appears as a whole word in free text (see module doc).

        ``url()`` calls this for every URL it sees, so error lines such as ``cannot connect to
        sandbox.local`` keep the host that the request log shows.
        """
        host = host.strip().lower()
        if "." not in host or host in self._hosts or len(self._hosts) >= _MAX_HOSTS:
            return
        self._hosts.append(host)
        alternatives = "|".join(re.escape(h) for h in sorted(self._hosts, key=len, reverse=True))
        self._host_pattern = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    # -- free text ------------------------------------------------------------------------------
    def text(self, value: str) -> str:
        """Replace every known literal secret in ``value``, except where it is a label of a host name."""
        if not value or (self._pattern is None and not self._long):
            return value
        for form in self._long:
            value = value.replace(form, MASK)
        if self._pattern is None or self._pattern.search(value) is None:
            return value  # the common case, without looking for host names first
        hosts = self._host_spans(value)
        if not hosts:
            return self._pattern.sub(MASK, value)

        def repl(m: re.Match[str]) -> str:
            start, end = m.span()
            for h_start, h_end in hosts:
                if h_start <= start and end <= h_end and _is_label(value, start, end, h_start, h_end):
                    return m.group(0)
            return MASK

        return self._pattern.sub(repl, value)

    def _host_spans(self, value: str) -> list[tuple[int, int]]:
        # Only hosts url() has seen: a label-shaped secret inside any other text (``x://secret.foo`` in a
        # body) is masked, so free text cannot smuggle a secret out by looking like a URL.
        if self._host_pattern is None:
            return []
        return [m.span() for m in self._host_pattern.finditer(value)]

    def message(self, value: object, limit: int = 300) -> str:
        """An untrusted string made safe for one line of an error message: redacted, no control chars."""
        return line(self.text(str(value)), limit)

    # -- structures -----------------------------------------------------------------------------
    def query(self, query: str) -> str:
        """Redact values of secret-named parameters in ``a=1&password=x`` (also used for form bodies)."""
        def repl(m: re.Match[str]) -> str:
            name = unquote_plus(m.group("name"))
            if is_secret_name(name):
                return f"{m.group('name')}={MASK}"
            value = unquote_plus(m.group("value"))
            # Carbon passes JSON objects as form values (``arg1={"password": …}``).
            if value[:1] in "{[":
                redacted = self._json_text(value, compact=True)
                if redacted != value:
                    return m.group("name") + "=" + quote_plus(redacted, safe=_JSON_SAFE)
            return m.group(0)

        return self.text(_QUERYISH.sub(repl, query))

    def url(self, url: object) -> str:
        """A URL with userinfo password, secret query values and literal secrets replaced."""
        text = str(url)
        scheme, sep, rest = text.partition("://")
        if sep:
            authority, slash, tail = rest.partition("/")
            self.keep_host(authority.rpartition("@")[2].rsplit(":", 1)[0] if "]" not in authority else "")
            if "@" in authority:
                userinfo, _, host = authority.rpartition("@")
                user = userinfo.split(":", 1)[0]
                authority = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
            text = f"{scheme}://{authority}{slash}{tail}"
        path, qmark, query = text.partition("?")
        if qmark:
            text = f"{path}?{self.query(query)}"
        return self.text(text)

    def header(self, name: str, value: str) -> str:
        """One header value, redacted according to what the header is."""
        lower = name.lower()
        if lower in ("cookie",):
            return "; ".join(f"{p.split('=', 1)[0].strip()}={MASK}" if "=" in p else MASK
                             for p in value.split(";"))
        if lower == "set-cookie":
            first, *attrs = value.split(";")
            name_part = first.split("=", 1)[0].strip()
            return "; ".join([f"{name_part}={MASK}", *(a.strip() for a in attrs)])
        if lower in ("authorization", "proxy-authorization"):
            return self._auth_value(value)
        if lower in _SECRET_HEADERS or is_secret_name(lower):
            return MASK
        return self.text(value)

    def headers(self, headers: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[tuple[str, str]]:
        """All headers as (name, redacted value) pairs, in order."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return [(str(k), self.header(str(k), str(v))) for k, v in pairs]

    def _auth_value(self, value: str) -> str:
        scheme, _, rest = value.strip().partition(" ")
        if not rest:
            return MASK
        m = _PAREN_AUTH.match(value.strip())
        if m:
            # Splynx-EA (key=…&nonce=…&signature=…): keep the shape and the nonce, hide the rest.
            return f"{m.group('scheme')} ({self.query(m.group('params'))})"
        return f"{scheme} {MASK}"

    def data(self, value: Any, _depth: int = 0) -> Any:
        """A copy of decoded JSON with values under secret-named keys replaced, nested to a bound."""
        if _depth > _MAX_DEPTH:
            return "…"
        if isinstance(value, dict):
            return {k: MASK if isinstance(k, str) and is_secret_name(k) and v not in (None, "")
                    else self.data(v, _depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v, _depth + 1) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _json_text(self, text: str, *, compact: bool = False) -> str:
        try:
            separators = (",", ":") if compact else None
            return json.dumps(self.data(json.loads(text)), ensure_ascii=False, separators=separators)
        except (ValueError, RecursionError):
            return self._json_regex(text)

    def _json_regex(self, text: str) -> str:
        """For JSON too large or too broken to parse: redact ``"name": value`` pairs textually."""
        def repl(m: re.Match[str]) -> str:
            if is_secret_name(m.group("name")):
                return m.group(0)[: m.start("value") - m.start(0)] + f'"{MASK}"'
            return m.group(0)

        return _JSON_PAIR.sub(repl, text)

    def body(self, content: bytes, content_type: str | None = None, limit: int = BODY_LIMIT) -> tuple[str, bool]:
        """A body as redacted text for the log, and whether it was cut to ``limit`` characters."""
        if not content:
            return "", False
        ctype = (content_type or "").split(";")[0].strip().lower()
        if ctype.startswith("multipart/"):
            return f"<{ctype} body, {len(content)} bytes, not shown>", False
        if ctype.startswith(("image/", "audio/", "video/", "application/octet-stream", "application/pdf")):
            return f"<{ctype} body, {len(content)} bytes>", False
        # Bounded work on huge bodies: at most four bytes per character, so this slice decodes to at least
        # ``limit`` characters; the text is cut a margin past ``limit``, redacted (textually, as it may be
        # cut mid-JSON), and only then cut to ``limit``, so no cut falls through an unredacted secret.
        text = content[: limit * 4].decode("utf-8", errors="replace")
        complete = len(content) <= limit * 4 and len(text) <= limit + _MARGIN
        text = text[: limit + _MARGIN]
        if ctype == "application/x-www-form-urlencoded":
            text = self.query(text)
        elif complete and len(text) <= limit and ("json" in ctype or text.lstrip()[:1] in "{["):
            text = self._json_text(text)
        else:
            text = self._json_regex(text)
        text = self.text(text)
        if len(text) > limit or not complete:
            return text[:limit], True
        return text, False
