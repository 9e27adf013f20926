"""The key check in bulk: 50 keys, a provider that takes 100 ms to answer.

A real HTTP server on 127.0.0.1 plays OpenRouter's ``GET /key``; the command
reaches it through ``OPENROUTER_BASE_URL``, as a user would point Hermes at a
proxy. Checked one after another the 50 answers would take 5 s; the target is
"about a second" (≤ 1.5 s), which only a bounded parallel check can meet.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from common import Homes, Result, base_env, key_file, ms, run_timed, simple_template, verdict

DELAY = 0.1
KEYS = 50
TARGET = 1.5


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(DELAY)
        body = json.dumps({"data": {"label": "bench", "limit": 10, "limit_remaining": 5, "usage": 5}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def bench_key_check(root: Path, samples: int) -> list[Result]:
    """50 keys checked with ``--check`` against a server answering in 100 ms."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = base_env(root, "check")
        env["OPENROUTER_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
        homes = Homes(root, simple_template(root, "check-template"))
        keys = key_file(root / "check-keys.txt", KEYS, tag="k")
        cmd = [str(Path(sys.executable).parent / "hermes-setup-pools"), "pool", "--non-interactive", "--provider",
               "openrouter", "--check", "--key-file", str(keys), "--yes"]
        times = []
        for _ in range(samples + 1):  # the first, unrecorded, writes the bytecode caches
            env["HERMES_HOME"] = str(homes.fresh())
            times.append(run_timed(cmd, env))
        times = times[1:]
    finally:
        server.shutdown()
        server.server_close()
    median = statistics.median(times)
    return [Result(
        f"{KEYS} keys checked in one call (server answers in {DELAY * 1000:.0f} ms)", ms(times),
        floor=f"one after another: {KEYS * DELAY:.1f} s", ratio=f"{KEYS * DELAY / median:.1f}× faster",
        target=f"≤ {TARGET} s", verdict=verdict(median <= TARGET),
        method=(f"`pool --non-interactive --check --key-file` with {KEYS} keys into a fresh home, reaching a "
                f"ThreadingHTTPServer on 127.0.0.1 through OPENROUTER_BASE_URL that answers GET /key after "
                f"{DELAY * 1000:.0f} ms; {samples} runs after one warm-up, wall time including start-up"),
    )]
