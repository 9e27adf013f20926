"""Issue #20, bulk loads: auth.json is written by the C encoder entry by entry
and by hand above the entries, and must still be byte for byte what Hermes
writes (``json.dumps(data, indent=2) + "\\n"``) for any auth.json-shaped data,
nested values, unicode, floats and empty containers included, in pieces small
enough that a large pool is never held as one string."""

from __future__ import annotations

import enum
import itertools
import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hermes_setup_pools.store import auth
from hermes_setup_pools.store.auth import auth_text

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text of every kind: ASCII, accents, emoji, control characters, lone surrogates (escaped by json as \udXXX).
TEXT = st.text(st.characters(exclude_categories=()), max_size=12) | st.sampled_from(
    ["", "id", "label", "café", "\u2028", "\x00\x1f\x7f", "\"quoted\" \\ back", "日本語", "🔑", "\ud800", "a\nb\tc", "}\n{", ",\n  "])
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e16, 1.5, 1e-7, 123456789.125])
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**80), max_value=2**80) | FLOATS | TEXT
# Keys json.dumps converts: str, and int, float, bool and None.
KEYS = TEXT | st.integers(-5, 5) | st.sampled_from([True, False, None, 1.5, float("nan")])
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


# A pool entry as Hermes writes it, with now and then a nested or an odd value.
ENTRY = st.fixed_dictionaries(
    {"id": TEXT, "label": TEXT, "auth_type": st.just("api_key"), "priority": st.integers() | FLOATS,
     "source": st.sampled_from(["manual", "env:OPENROUTER_API_KEY", "manual:dashboard"]), "access_token": TEXT,
     "last_status": st.none() | st.just("exhausted"), "last_status_at": st.none() | FLOATS,
     "request_count": st.integers(0, 10**6)},
    optional={"base_url": st.none() | TEXT, "secret_fingerprint": TEXT, "extra": JSON, "meta": st.dictionaries(TEXT, JSON, max_size=3),
              "level": st.just(Level.LOW), "name": st.just(Name("n")), "tags": st.lists(TEXT, max_size=3)},
)
ENTRIES = ENTRY | st.dictionaries(KEYS, SCALARS, max_size=5) | JSON | st.builds(OrderedDict, st.dictionaries(TEXT, SCALARS, max_size=3))
POOLS = st.dictionaries(TEXT, st.lists(ENTRIES, max_size=6) | JSON, max_size=4)
AUTH = st.fixed_dictionaries(
    {"version": st.just(1) | SCALARS},
    optional={"providers": st.dictionaries(TEXT, JSON, max_size=3), "credential_pool": POOLS | JSON,
              "suppressed_sources": st.dictionaries(TEXT, st.lists(TEXT, max_size=3), max_size=2),
              "updated_at": TEXT, "active_provider": JSON},
)


def expected(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


def written(data: Any) -> str:
    return "".join(auth_text(data))


@PROPERTY
@given(AUTH, st.dictionaries(TEXT, JSON, max_size=2))
@example({"version": 1, "providers": {}, "credential_pool": {}}, {})
@example({"version": 1, "credential_pool": {"openrouter": [], "x": [{}], "y": [{}, {"a": []}, {"b": {}}, [], 1]}}, {})
@example({"credential_pool": {"p": [{"a": 1.0, "b": float("inf"), "c": -0.0, "d": float("nan"), 7: 2, None: 3, False: 4, 1.5: 5}]}}, {})
def test_property_auth_json_is_written_exactly_as_json_dumps_writes_it(data, extra):
    data = {**data, **extra}
    assert written(data) == expected(data)
    assert "".join(auth_text(data)).encode("utf-8") == expected(data).encode("utf-8")


@PROPERTY
@given(JSON)
def test_property_any_json_value_is_written_exactly_as_json_dumps_writes_it(value):
    assert "".join(itertools.chain.from_iterable(auth._blocks(value, 0, set()))) == json.dumps(value, indent=2)


@PROPERTY
@given(JSON, st.integers(0, 6))
def test_property_a_value_nested_at_any_depth_reads_as_it_would_inside_the_file(value, depth):
    wrapped: Any = value
    for level in range(depth):
        wrapped = {"k": wrapped} if level % 2 else [wrapped]
    assert "".join(itertools.chain.from_iterable(auth._blocks(wrapped, 0, set()))) == json.dumps(wrapped, indent=2)


@PROPERTY
@given(st.lists(ENTRIES, max_size=12), st.integers(1, 4))
@example([{"a": "},\n      {"}, {"b": "}"}, {"c": 1}], 1)
@example([{"a": 1}, {"b": [1]}, {"c": 1}, {}, {"d": None}, {"e": "x"}], 2)
def test_property_runs_of_entries_split_anywhere_read_as_json_dumps_writes_them(pool, run):
    data = {"version": 1, "credential_pool": {"openrouter": pool, "other": pool[::-1]}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_RUN", run)
        assert written(data) == expected(data)


def test_without_the_c_encoder_the_standard_encoder_writes_it(monkeypatch):
    data = {"version": 1, "credential_pool": {"openrouter": [{"id": "a", "label": "é", "priority": 0}]}}
    monkeypatch.setattr(auth, "_c_make_encoder", None)
    assert written(data) == expected(data)


def test_a_value_json_cannot_write_fails_as_json_dumps_fails():
    for bad in ({"p": [{"id": "a", "when": object()}]}, {"p": [{"id": {1, 2}}]}, {"p": object()}):
        data = {"version": 1, "credential_pool": bad}
        with pytest.raises(TypeError) as ours:
            written(data)
        with pytest.raises(TypeError) as theirs:
            expected(data)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(TypeError, match="keys must be"):
        written({"credential_pool": {"p": [{("a",): 1}]}})


def test_a_circular_structure_is_refused_as_json_dumps_refuses_it():
    pool: list[Any] = [{"id": "a"}]
    pool.append(pool)
    data: dict[str, Any] = {"credential_pool": {"p": pool}}
    with pytest.raises(ValueError, match="Circular reference"):
        written(data)
    data["self"] = data
    with pytest.raises(ValueError, match="Circular reference"):
        written(data)


def hermes_entry(i: int) -> dict[str, Any]:
    return {"id": f"{i:06x}", "label": f"k{i}", "auth_type": "api_key", "priority": i, "source": "manual",
            "access_token": f"sk-or-v1-{i:064d}", "last_status": None, "last_status_at": None, "last_error_code": None,
            "last_error_reason": None, "last_error_message": None, "last_error_reset_at": None,
            "base_url": "https://openrouter.ai/api/v1", "request_count": 0}


def test_a_large_pool_is_written_in_bounded_pieces_and_batches():
    """write_atomic joins 65,536 pieces at a time (store/files.py): no piece and no such batch may grow with the pool."""
    data = {"version": 1, "providers": {}, "credential_pool": {"openrouter": [hermes_entry(i) for i in range(40_000)]},
            "updated_at": "2026-01-01T00:00:00+00:00"}
    pieces = auth_text(data)
    total = 0
    largest_batch = 0
    while batch := list(itertools.islice(pieces, 65536)):
        size = sum(map(len, batch))
        largest_batch, total = max(largest_batch, size), total + size
        assert max(map(len, batch)) < 2**17  # a run of entries at most
    assert total == len(expected(data)) > 20 * 2**20
    assert largest_batch <= 5 * 2**20


def test_floats_keep_their_shortest_repr():
    data = {"credential_pool": {"p": [{"a": 0.1, "b": 1e300, "c": -1e-300, "d": 2.0**53 + 1, "e": math.pi}]}}
    assert written(data) == expected(data)


def test_the_file_written_by_a_bulk_load_is_what_hermes_writes(hermes_home):
    from hermes_setup_pools.pool.apply import apply_changes
    from hermes_setup_pools.pool.changes import Add
    from hermes_setup_pools.store.auth import auth_path, update_pool
    from hermes_setup_pools.store.entries import NewCredential

    seed = {"version": 1, "providers": {"nous": {"access_token": "t", "scopes": ["a", "b"], "nested": {"x": [1, {}]}}},
            "credential_pool": {"anthropic": [{**hermes_entry(i), "label": f"Zoë {i}"} for i in range(3)], "empty": []},
            "suppressed_sources": {"openrouter": ["env:X"]}, "updated_at": "2026-01-01T00:00:00+00:00"}
    auth_path(hermes_home).write_text(expected(seed))
    changes = tuple(Add(NewCredential(f"k{i}", "manual", f"sk-or-v1-{i:064d}", "https://openrouter.ai/api/v1"))
                    for i in range(300))
    update_pool(hermes_home, "openrouter", lambda entries, sup: apply_changes(entries, sup, changes))
    text = auth_path(hermes_home).read_text()
    assert text == expected(json.loads(text))
    assert json.loads(text)["providers"] == seed["providers"]
