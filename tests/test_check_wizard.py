"""Issue #13 inside the real ``hermes setup model`` (hermes-agent in a pty):
a custom endpoint pointing at a fake provider on 127.0.0.1; a good key shows
✓ and is added, a bad one shows ✗ and is not."""

from __future__ import annotations

import json

import pytest

from fakeprovider import Answer, FakeProvider, Received
from helpers import ENTER, KEY_1, KEY_2, assert_no_secret
from hermes_driver import pick_leave_unchanged, start_hermes


def models(request: Received) -> Answer:
    key = request.headers.get("authorization", "").removeprefix("Bearer ")
    if request.path != "/v1/models":
        return Answer(404, {"error": "no route"})
    return Answer(401, {"error": {"message": "invalid key"}}) if key == KEY_2 else Answer(200, {"data": [{"id": "m1"}]})


@pytest.mark.hermes
def test_the_check_inside_hermes_setup_adds_the_good_key_and_not_the_bad_one(hermes, env, hermes_home):
    with FakeProvider() as server:
        server.answer = models
        (hermes_home / "config.yaml").write_text(
            f"model:\n  provider: custom\n  base_url: {server.base}/v1\n  default: m1\n"
            f"custom_providers:\n- name: Local\n  base_url: {server.base}/v1\n"
            "plugins:\n  enabled: [setup-pools]\n")
        env.pop("HERMES_SETUP_POOLS_KEY_CHECK")
        term = start_hermes(["setup", "model"], env)
        pick_leave_unchanged(term)
        term.expect("Add an API key for custom:local")
        term.send(KEY_1 + ENTER)
        term.expect(f"Check new keys with {server.host} now?")
        term.send(ENTER)
        term.expect("✓ valid")
        term.expect("Label for this key")
        term.send("good" + ENTER)
        term.expect("Add another API key")
        term.send(KEY_2 + ENTER)
        term.expect(f"✗ rejected by {server.host} (401)")
        term.expect("Add it anyway?")
        term.send(ENTER)  # No (the default)
        term.expect("Add another API key")
        term.send(ENTER)
        term.expect("Write these changes?")
        term.send(ENTER)
        term.expect("Added 1 credential to custom:local")
        term.child.terminate(force=True)
        sent = [(r.path, r.headers.get("authorization")) for r in server.received]
    assert sent == [("/v1/models", f"Bearer {KEY_1}"), ("/v1/models", f"Bearer {KEY_2}")]
    pool = json.loads((hermes_home / "auth.json").read_text())["credential_pool"]["custom:local"]
    assert [e["label"] for e in pool] == ["good"]
    assert_no_secret(term.text())
