#!/usr/bin/env python3
"""The least work a bulk load into a Hermes credential pool must do.

    python bench/reference.py HERMES_HOME POOL KEY_FILE

Reads auth.json under Hermes' lock (an exclusive flock on auth.lock), parses
it, fingerprints the pool's keys and each new key (sha256, Hermes' format) so
a key already in the pool is not added twice, appends one entry per new key
with the fields Hermes 0.19 writes (as ``hermes auth add`` does), serialises
exactly as Hermes does (``json.dumps(indent=2) + "\\n"``) and replaces the
file through a temporary file, fsync and rename. Nothing else: no checks of
the keys, no messages, no summary, standard library only.

The benchmark runs it against ``hermes-setup-pools pool --non-interactive``
on the same input and checks both write the same bytes (entry ids, which are
random, and ``updated_at``, the time, aside).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

BASE_URLS = {"openrouter": "https://openrouter.ai/api/v1"}
STATUS_FIELDS = ("last_status", "last_status_at", "last_error_code", "last_error_reason", "last_error_message",
                 "last_error_reset_at")


def fingerprint(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:16]


def new_id(taken: set[str]) -> str:
    entry_id = os.urandom(3).hex()
    while entry_id in taken:
        entry_id = os.urandom(3).hex()
    taken.add(entry_id)
    return entry_id


def add_keys(pool: list[dict[str, Any]], lines: list[str], base_url: str | None) -> None:
    seen = {fingerprint(e["access_token"]) if e.get("access_token") else e.get("secret_fingerprint") for e in pool}
    labels = {str(e.get("label", "")).casefold() for e in pool}
    ids = {str(e.get("id")) for e in pool}
    priority = max((e["priority"] for e in pool if type(e.get("priority")) is int), default=-1)
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key = line.split()[-1]
        fp = fingerprint(key)
        if fp in seen:
            continue
        label = line[: line.rfind(key)].strip()
        if not label:
            n = len(pool) + 1
            while f"api-key-{n}" in labels:
                n += 1
            label = f"api-key-{n}"
        priority += 1
        entry = {"id": new_id(ids), "label": label, "auth_type": "api_key", "priority": priority,
                 "source": "manual", "access_token": key}
        entry.update(dict.fromkeys(STATUS_FIELDS))
        if base_url is not None:
            entry["base_url"] = base_url
        entry["request_count"] = 0
        pool.append(entry)
        seen.add(fp)
        labels.add(label.casefold())


def write(path: str, payload: bytes) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def main(home: str, pool_key: str, key_file: str) -> int:
    path = os.path.join(home, "auth.json")
    with open(key_file, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    with open(os.path.join(home, "auth.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path, "rb") as handle:
                data = json.loads(handle.read())
        except FileNotFoundError:
            data = {"version": 1, "providers": {}}
        pool = data.setdefault("credential_pool", {}).setdefault(pool_key, [])
        before = len(pool)
        add_keys(pool, lines, BASE_URLS.get(pool_key))
        if len(pool) == before:
            return 0
        data["updated_at"] = datetime.now(UTC).isoformat()
        write(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    sys.exit(main(*sys.argv[1:]))
