#!/usr/bin/env python3
"""The least work a load of keys into a Hermes credential pool must do, with
every key and label checked as hermes-setup-pools checks them.

    python bench/reference.py [--no-checks] HERMES_HOME POOL KEY_FILE

The floor program of two benchmarks (one call adding 1 key; 10,000 keys into
an auth.json of 1,000 entries). Standard library only, one function per job:

* check every line of the key file as the package does, stopping at the first
  bad one (exit 1, naming its line, never its text): Unicode line separators
  inside a line, pasted command lines and ``VAR=value``, a key in the label's
  place, keys that are empty, too long or short, carry spaces, control or
  non-ASCII characters, quotes, masks (``***``, ``…``) or two keys pasted
  together, placeholders (``changeme``, ``<your-key>``, one character
  repeated), and labels with control, invisible or blank-looking characters,
  more than 64 characters or a word that looks like a key; a label already
  used in the pool is refused too;
* take Hermes' lock (an exclusive flock on auth.lock), read and parse
  auth.json, fingerprint the pool's keys and each new key (sha256, Hermes'
  format) so a key already in the pool is skipped;
* append one entry per new key with the fields Hermes 0.19 writes (as
  ``hermes auth add`` does), serialise exactly as Hermes does
  (``json.dumps(indent=2) + "\\n"``) and replace the file through a temporary
  file (mode 0600), fsync and rename.

No messages, no summary, no dry-run, no directory fsync. ``--no-checks`` skips
the line checks (the reference of earlier rounds). The benchmark checks that
it writes the same bytes as the package (entry ids, which are random, and
``updated_at``, the time, aside).
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

BASE_URLS = {"openrouter": "https://openrouter.ai/api/v1"}
KEY_PREFIXES = {"openrouter": ("sk-or-",)}  # the provider's usual key prefixes (a label carrying one is refused)
STATUS_FIELDS = ("last_status", "last_status_at", "last_error_code", "last_error_reason", "last_error_message",
                 "last_error_reset_at")

# -- the checks (the package's rules: hermes_setup_pools/keys.py, pool/keyfile.py) ------------

LINE_END = re.compile(r"\r\n|\r|\n")
SEPARATORS = re.compile("[\u2028\u2029\u0085\x0b\x0c\x1c-\x1e]")
COMMENT = re.compile(r"(?:^|\s)#.*$")
ENV_ASSIGNMENT = re.compile(r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")
COMMANDS = ("hermes ", "export ", "set ", "curl ", "echo ", "$ ", "setx ", "bearer ", "authorization:")
COMMAND_WORDS = {"export", "set", "setx", "hermes", "curl", "echo", "$", "bearer", "authorization:"}
PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-.+/]{8,4096}")
KEYISH = re.compile(r"[A-Za-z0-9_\-.=+]+")
KNOWN_PREFIXES = ("sk-or-v1-", "sk-ant-api", "sk-ant-oat", "sk-proj-", "github_pat_", "ghp_", "gho_", "hf_", "AIza",
                  "xai-", "nvapi-")
PLACEHOLDERS = frozenset({
    "none", "null", "nil", "undefined", "changeme", "change-me", "change_me", "placeholder", "todo", "tbd", "dummy",
    "example", "test", "xxx", "key", "apikey", "api-key", "api_key", "secret", "token", "password", "your-api-key",
    "your_api_key", "yourapikey", "your-key", "your_key", "your-api-key-here", "your_api_key_here", "insert-key-here",
    "sk-...", "sk-xxx", "sk-or-...", "sk-ant-...",
})
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f")


def placeholder(key: str) -> bool:
    low = key.lower()
    return (low in PLACEHOLDERS or key.strip("<>[]{}").lower() in PLACEHOLDERS or (key[0] == "<" and key[-1] == ">")
            or len(set(key)) == 1 or "***" in key or "…" in key)


def key_ok(key: str) -> bool:
    plain = bool(PLAIN_KEY.fullmatch(key)) and "=" not in key
    if not plain and (  # the rare keys: every rule in turn
            not key or len(key) > 4096 or not key.isascii() or not key.isprintable() or " " in key
            or key.lower().startswith(COMMANDS) or ENV_ASSIGNMENT.match(key) or key[0] in "\"'`"
            or key[-1] in "\"'`" or len(key) < 8):
        return False
    if placeholder(key):
        return False
    prefix = next((p for p in KNOWN_PREFIXES if key.startswith(p)), None)
    return prefix is None or key.find(prefix, 16) < 0


def random_looking(token: str) -> bool:
    chars = [ch for ch in token if ch.isalnum()]
    if len(chars) < 16 or len(set(chars)) < 10:
        return False
    kinds = [0 if ch.isdigit() else 1 if ch.isupper() else 2 for ch in chars]
    return sum(a != b for a, b in itertools.pairwise(kinds)) / (len(chars) - 1) >= 0.25


def secret_like(word: str, prefixes: tuple[str, ...]) -> bool:
    token = word.strip("'\"`")
    if token.startswith(KNOWN_PREFIXES) or token.startswith("sk-") or (prefixes and token.startswith(prefixes)):
        return len(token) >= 8
    return len(token) >= 20 and bool(KEYISH.fullmatch(token)) and token[0] != "." and random_looking(token)


def label_ok(label: str, prefixes: tuple[str, ...]) -> bool:
    if not (label.isascii() and label.isprintable()):
        import unicodedata

        label = unicodedata.normalize("NFC", label)
        for ch in label:
            cat = unicodedata.category(ch)
            if cat in ("Cc", "Cf", "Zl", "Zp") or ch in INVISIBLE or (cat == "Zs" and ch != " "):
                return False
    return len(label) <= 64 and not any(secret_like(word, prefixes) for word in label.split())


def command_line(line: str) -> bool:
    first = line.split(maxsplit=1)[0].lower()
    return ((line.lower() + " ").startswith(COMMANDS) or first in COMMAND_WORDS or bool(ENV_ASSIGNMENT.match(line))
            or "=" in first)


def checked_lines(text: str, prefixes: tuple[str, ...], check: bool) -> list[tuple[str, str]]:
    """(label, key) per line; exits 1 at the first line the package would refuse."""
    out = []
    for number, raw in enumerate(LINE_END.split(text), start=1):
        if check and SEPARATORS.search(raw):
            sys.exit(f"line {number}: refused")
        line = (COMMENT.sub("", raw) if "#" in raw else raw).strip()
        if not line:
            continue
        key = line.split()[-1]
        label = line[: len(line) - len(key)].strip()
        if check and (command_line(line) or (label and secret_like(label.split()[0], prefixes)) or not key_ok(key)
                      or not label_ok(label, prefixes)):
            sys.exit(f"line {number}: refused")
        out.append((label, key))
    return out


# -- the load ------------------------------------------------------------------------------


def fingerprint(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:16]


def new_id(taken: set[str]) -> str:
    entry_id = os.urandom(3).hex()
    while entry_id in taken:
        entry_id = os.urandom(3).hex()
    taken.add(entry_id)
    return entry_id


def add_keys(pool: list[dict[str, Any]], lines: list[tuple[str, str]], base_url: str | None, check: bool) -> None:
    seen = {fingerprint(e["access_token"]) if e.get("access_token") else e.get("secret_fingerprint") for e in pool}
    labels = {str(e.get("label", "")).casefold() for e in pool}
    ids = {str(e.get("id")) for e in pool}
    priority = max((e["priority"] for e in pool if type(e.get("priority")) is int), default=-1)
    for given, key in lines:
        fp = fingerprint(key)
        if fp in seen:
            continue
        label = given
        if not label:
            n = len(pool) + 1
            while f"api-key-{n}" in labels:
                n += 1
            label = f"api-key-{n}"
        elif check and label.casefold() in labels:
            sys.exit("a label already used in the pool: refused")
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


def main(home: str, pool_key: str, key_file: str, check: bool = True) -> int:
    path = os.path.join(home, "auth.json")
    with open(key_file, encoding="utf-8-sig") as handle:
        lines = checked_lines(handle.read(), KEY_PREFIXES.get(pool_key, ()), check)
    with open(os.path.join(home, "auth.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(path, "rb") as handle:
                data = json.loads(handle.read())
        except FileNotFoundError:
            data = {"version": 1, "providers": {}}
        pool = data.setdefault("credential_pool", {}).setdefault(pool_key, [])
        before = len(pool)
        add_keys(pool, lines, BASE_URLS.get(pool_key), check)
        if len(pool) == before:
            return 0
        data["updated_at"] = datetime.now(UTC).isoformat()
        write(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    checks = "--no-checks" not in args
    args = [a for a in args if a != "--no-checks"]
    if len(args) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    sys.exit(main(*args, check=checks))
