"""The request: one ``GET`` to the pool's own host, the key in a header.

Transport rules (standard library only):

* HTTPS, or plain HTTP to a loopback host (see :func:`.urls.url_problem`).
* No redirect is ever followed, same host or not: a 3xx answer is "could not
  check (redirect refused)", or "… (redirect to another host refused)" when its
  ``Location`` names another scheme, host or port. So the key is sent once, to
  the base URL's host, and nowhere else.
* ``timeout`` (5 s) bounds the whole request, from connecting to the last
  byte: a server that drips its answer a byte at a time is cut off at the
  deadline (its socket is shut down) and the check says which host was slow.
  Reading the body stops at 256 KiB. A bulk check also has a deadline for the
  whole run (:data:`BULK_DEADLINE`).
* An HTTPS proxy from the environment (``https_proxy``, honouring ``no_proxy``)
  is used as a CONNECT tunnel, so TLS runs end to end and the proxy never sees
  the key; plain-HTTP loopback checks never use a proxy.
* Our own ``User-Agent`` (``hermes-setup-pools/<version>``), ``Accept: application/json``.

No exception leaves :func:`check_key`: every failure becomes a result whose
reason is a fixed phrase, never exception or server text.
"""

from __future__ import annotations

import functools
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..keys.detect import mask
from .answers import generic
from .result import CheckResult, not_checked, unsupported
from .specs import CheckSpec, auth_headers, spec_for
from .urls import host_of, join, origin, url_problem

USER_AGENT = f"hermes-setup-pools/{__version__}"
DEFAULT_TIMEOUT = 5.0
#: The longest a bulk check may take in all, whatever the number of keys.
BULK_DEADLINE = 60.0
MAX_BODY = 256 * 1024
_CHUNK = 16 * 1024


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Every 3xx surfaces as an ``HTTPError``; nothing is followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA store costs milliseconds: once per process, shared by threads.
    return ssl.create_default_context()


class _Deadline:
    """A request's whole-time limit: when it passes, the socket is shut down,
    which ends any read the server is dripping out."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.expired = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        def expire() -> None:
            with self._lock:
                self.expired = True
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        with self._lock:
            self._timer = threading.Timer(self.left(), expire)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()


def _opener(url: str, deadline: _Deadline) -> urllib.request.OpenerDirector:
    parts = urlsplit(url)
    proxies: dict[str, str] = {}
    if parts.scheme == "https":
        proxy = urllib.request.getproxies().get("https")
        if proxy and not urllib.request.proxy_bypass(parts.netloc):
            proxies["https"] = proxy

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class TLSConnection(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class Plain(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class TLS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(TLSConnection, req, context=_tls_context())

    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies), Plain(), TLS(), _RefuseRedirects())
    opener.addheaders = []
    return opener


def _read(stream: Any, deadline: _Deadline) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < MAX_BODY:
        chunk = stream.read1(min(_CHUNK, MAX_BODY - size)) if hasattr(stream, "read1") else stream.read(_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if deadline.left() <= 0:
            raise TimeoutError
    if deadline.expired:
        raise TimeoutError
    return b"".join(chunks)


def _fetch(url: str, headers: dict[str, str], timeout: float, until: float | None = None) -> tuple[int, Message, bytes]:
    deadline = _Deadline(min(time.monotonic() + timeout, until if until is not None else float("inf")))
    if deadline.left() <= 0:
        raise TimeoutError
    request = urllib.request.Request(url, headers=headers, method="GET")
    try:
        try:
            with _opener(url, deadline).open(request, timeout=min(timeout, deadline.left())) as response:
                return response.status, response.headers, _read(response, deadline)
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.headers, _read(answer, deadline)
    except Exception:
        if deadline.expired or deadline.left() <= 0:
            raise TimeoutError from None
        raise
    finally:
        deadline.cancel()


def _network_reason(exc: BaseException) -> str:
    """A fixed phrase for a failure; the exception's own text is never used."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "TLS certificate not trusted"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionError | http.client.HTTPException):
        return "connection closed without an answer"
    if isinstance(exc, OSError):
        return "network error"
    return "unexpected error"


def interpret(
    pool_key: str, spec: CheckSpec, url: str, status: int, *, location: str | None, body: bytes
) -> CheckResult:
    """The result for an HTTP answer (pure: no I/O). ``url`` is where the check
    went, ``location`` the answer's ``Location`` header."""
    host = host_of(url)
    if 300 <= status < 400:
        same = location is not None and origin(urljoin(url, location)) == origin(url)
        why = "redirect refused" if same else "redirect to another host refused"
        return not_checked(pool_key, why, host, status)
    text = body.decode("utf-8", errors="replace")
    try:
        data: Any = json.loads(text) if text.strip() else None
    except ValueError:
        data = None
    reading = spec.parse(status, data) if spec.parse is not None else None
    reading = reading or generic(status, data, text.lower())
    if reading is None:
        return not_checked(pool_key, f"HTTP {status}", host, status)
    verdict, credit = reading
    return CheckResult(verdict, pool_key, host=host, status=status, reason=f"HTTP {status}", credit=credit)


def _header_safe(key: str) -> bool:
    return bool(key) and all("!" <= ch <= "~" for ch in key)


def _scrub(result: CheckResult, key: str) -> CheckResult:
    # Belt and braces: results are built from fixed phrases, but a key must
    # never be shown even if one ever slipped into a field.
    if len(key) < 8 or not any(key in (field or "") for field in (result.host, result.reason, result.credit)):
        return result
    return replace(
        result,
        host=result.host.replace(key, mask(key)),
        reason=result.reason.replace(key, mask(key)),
        credit=result.credit.replace(key, mask(key)) if result.credit else result.credit,
    )


def check_key(pool_key: str, base_url: str | None, key: str, *, timeout: float = DEFAULT_TIMEOUT,
              until: float | None = None) -> CheckResult:
    """Check one key for a pool whose base URL is ``base_url`` (from
    :func:`.urls.check_url_for`). ``timeout`` bounds the whole request and
    ``until`` (a ``time.monotonic()`` value) is a deadline it may not pass.
    Never raises for network or server trouble, and nothing in the result (or
    its ``repr``) holds the key."""
    if base_url is None:
        return unsupported(pool_key, "no base URL is known for this pool")
    spec = spec_for(pool_key, base_url, key)
    if isinstance(spec, str):
        return unsupported(pool_key, spec)
    problem = url_problem(base_url)
    if problem is not None:
        return not_checked(pool_key, problem)
    if not _header_safe(key):
        return not_checked(pool_key, "the key has characters a header cannot carry")
    url = join(base_url, spec.path)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **dict(spec.headers), **auth_headers(spec.auth, key)}
    try:
        status, answer_headers, body = _fetch(url, headers, timeout, until)
        result = interpret(pool_key, spec, url, status, location=answer_headers.get("Location"), body=body)
    except Exception as exc:  # a check never raises: a failure is a result
        result = not_checked(pool_key, _network_reason(exc), host_of(url))
    return _scrub(result, key)


def check_keys(
    pool_key: str, base_url: str | None, keys: Sequence[str], *, parallel: int = 8, timeout: float = DEFAULT_TIMEOUT
) -> list[CheckResult]:
    """Check many keys, at most ``parallel`` at a time; results in input order.
    The whole run ends by :data:`BULK_DEADLINE`: keys not checked by then are
    "could not check (timeout)"."""
    if not keys:
        return []
    until = time.monotonic() + max(BULK_DEADLINE, timeout)
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(keys))), thread_name_prefix="key-check") as pool:
        return list(pool.map(lambda key: check_key(pool_key, base_url, key, timeout=timeout, until=until), keys))
