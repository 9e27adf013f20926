"""The edges of what counts as a key, and how much of one is shown (#21.6:
tests that kill the survivors of a mutation run of ``keys/``)."""

from __future__ import annotations

import pytest

from hermes_setup_pools.keys.detect import looks_like_secret, mask, quoted, redact
from hermes_setup_pools.keys.files import render_auth, render_config, secret_name
from hermes_setup_pools.keys.rules import clean_label, is_command_line, is_placeholder, key_problem

# -- mask: how much of a key is shown ------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        ("abcdefg", "…"),  # 7: nothing of it
        ("abcdefgh", "…gh"),  # 8: the last two
        ("abcdefghijklmno", "…no"),  # 15: still two
        ("abcdefghijklmnop", "…mnop"),  # 16: the last four
        ("sk-or-v1-" + "x" * 40 + "WXYZ", "…WXYZ"),
        ("", "—"),
        (None, "—"),
    ],
)
def test_mask_shows_two_characters_from_8_and_four_from_16(secret, shown):
    assert mask(secret) == shown


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        ("op://Private/OpenRouter/credential", "op://Private/…"),
        ("pass://team/openrouter", "pass://team/…"),
        ("op://Vault", "op://Vault/…"),
    ],
)
def test_mask_of_a_secret_reference_shows_its_scheme_and_vault_only(reference, shown):
    assert mask(reference) == shown


def test_a_url_that_is_not_a_reference_scheme_is_masked_like_a_key():
    assert mask("https://user:pw@example.org/x") == "…rg/x"


# -- what looks like a key ------------------------------------------------------------------------

RANDOM_20 = "aB3dE5gH7jK9mN1pQ3sT"


def test_a_random_token_of_exactly_20_characters_is_a_key_and_19_is_not():
    assert len(RANDOM_20) == 20
    assert looks_like_secret(RANDOM_20)
    assert not looks_like_secret(RANDOM_20[:19])


def test_randomness_threshold_is_one_switch_in_four():
    # 21 letters and digits, 20 neighbour pairs: 5 switches of kind is exactly 0.25
    at_threshold = "abcdefghijklmnop1Q2R3"
    just_under = "abcdefghijklmnopq1R2S3"  # 5 switches in 21 pairs
    assert looks_like_secret(at_threshold)
    assert not looks_like_secret(just_under)


def test_a_prefixed_key_is_a_key_however_unrandom_it_looks():
    plain = "abcdefghijklmnopq1R2S3"  # under the randomness threshold on its own
    assert not looks_like_secret(plain)
    assert looks_like_secret("sk-" + plain)
    assert looks_like_secret("sk-or-v1-" + plain)
    assert looks_like_secret("nvapi-" + plain)
    assert looks_like_secret("team-" + plain, key_prefixes=("team-",))
    assert not looks_like_secret("team-" + plain)


def test_a_prefixed_key_needs_eight_characters_after_the_quotes_are_gone():
    assert looks_like_secret("sk-abcde")
    assert not looks_like_secret("sk-abcd")
    assert looks_like_secret("'sk-abcde'")
    assert not looks_like_secret("'sk-abcd'")  # 9 characters, 7 once unquoted
    assert not looks_like_secret("`sk-abc`")


def test_randomness_needs_16_letters_or_digits_and_10_distinct_ones():
    sixteen = "aB3dE5gH7jK9mN1p----"  # 20 characters, 16 of them letters or digits
    fifteen = "aB3dE5gH7jK9mN1-----"
    assert looks_like_secret(sixteen)
    assert not looks_like_secret(fifteen)
    ten_distinct = "aB3dE5gH7jaB3dE5gH7j"  # 10 distinct characters, many switches
    nine_distinct = "aB3dE5gH7aB3dE5gH7aB"
    assert looks_like_secret(ten_distinct)
    assert not looks_like_secret(nine_distinct)


def test_dotted_names_paths_and_words_are_not_keys():
    assert not looks_like_secret("." + RANDOM_20)  # a dot file, not a key
    assert not looks_like_secret(RANDOM_20 + " " + RANDOM_20)  # spaced: two things, not one key
    assert not looks_like_secret("OPENROUTER_API_KEY_NUMBER_2")
    assert not looks_like_secret("test_case_number_twenty_two")


def test_quoted_shows_values_and_hides_keys_even_inside_a_url():
    assert quoted("round-robin") == "'round-robin'"
    assert quoted(RANDOM_20) == "(a value that looks like an API key; not shown)"
    assert quoted(f"https://user:{RANDOM_20}@host") == "(a value that looks like an API key; not shown)"


def test_redact_masks_a_key_wherever_it_stands_and_keeps_the_full_stop():
    key = "sk-or-v1-" + "x" * 40 + "WXYZ"
    assert redact(f"rejected {key}.") == "rejected …WXYZ."
    assert redact(f"url https://u:{key}@h/p") == "url https://u:…WXYZ@h/p"
    assert redact(f"'{key}'") == "'…WXYZ'"
    assert redact("nothing secret here.") == "nothing secret here."


def test_redact_finds_a_key_after_any_equals_sign_of_a_token():
    plain = "sk-or-v1-" + "0123456789abcdef" * 4  # caught by its prefix, not by randomness
    assert redact(f"rejected key={plain} for user") == "rejected key=…cdef for user"
    assert redact(f"a=b={plain}.") == "a=b=…cdef."
    assert redact(f"a={plain}=x") == "a=…ef=x"  # the first "=" after which a key starts, not the last
    assert redact(f"{plain}=x") == "…ef=x"  # the whole token has the key's shape: masked as one
    assert redact("OPENROUTER_API_KEY=OPENROUTER_API_KEY_2 x= =y") == "OPENROUTER_API_KEY=OPENROUTER_API_KEY_2 x= =y"


# -- files rendered with every secret masked (--dry-run diffs) -------------------------------------


KEY = "sk-or-v1-" + "x" * 40 + "WXYZ"


def test_auth_json_is_rendered_as_hermes_writes_it_with_secrets_masked_by_field_and_by_shape():
    data = {"a": {"apiKey": KEY, "label": f"key {KEY}", "n": 1, "list": [{"token": "short-ab"}], "ok": "naïve",
                  "tokens": ["abcdefghij", "klmnopqrstuvwxyz"], "token_type": "bearer-xyz12"}}
    assert render_auth(data) == (
        '{\n  "a": {\n    "apiKey": "…WXYZ",\n    "label": "key …WXYZ",\n    "n": 1,\n    "list": [\n      {\n'
        '        "token": "…ab"\n      }\n    ],\n    "ok": "naïve",\n    "tokens": [\n      "…ij",\n      "…wxyz"\n'
        '    ],\n    "token_type": "bearer-xyz12"\n  }\n}\n')
    assert render_auth(None) == ""


def test_config_yaml_is_rendered_with_every_secret_masked_whatever_its_style():
    text = (f"a: &k\n  api_key: {KEY}\nb: *k\nlist:\n  - token: abcdefghij\n  - plain\n"
            f'c: "https://u:{KEY}@h/x"   # {KEY}\nauth: Bearer abcdefghijklmnop\nü: "naïve {KEY}"\n'
            "secret:\n  - abcdefghij\n  - {nested: klmnopqrst}\n")
    assert render_config(text) == (
        'a: &k\n  api_key: "…WXYZ"\nb: *k\nlist:\n  - token: "…ij"\n  - plain\n'
        'c: "https://u:…WXYZ@h/x"   # …WXYZ\nauth: "…mnop"\nü: "naïve …WXYZ"\n'
        'secret:\n  - "…ij"\n  - {nested: "…st"}\n')
    assert render_config("k: |\n  multi\n  line\napi_key: >\n  folded\n") == 'k: |\n  multi\n  line\napi_key: "…"\n'
    assert render_config("x: [unclosed\n# sk-or-v1-" + "y" * 40 + "\n") == "x: [unclosed\n# …yyyy\n"
    assert render_config("") == "" and render_config("  \n") == "  \n"


@pytest.mark.parametrize(
    ("name", "secret"),
    [("apiKey", True), ("API-KEY", True), ("client.secret", True), ("my_token", True), (" api_key ", True),
     ("Authorization", True), ("secret_fingerprint", False), ("token_type", False), ("x", False), ("label", False)],
)
def test_secret_field_names_as_hermes_lists_them(name, secret):
    assert secret_name(name) is secret


# -- placeholders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "  ", "none", "NONE", "Your-API-Key", "<your-key>", "[changeme]", "{TOKEN}", "<anything at all>",
     "aaaaaaaaaaaa", "sk-***-abcdefgh", "sk-or…abcd"],
)
def test_placeholders_and_masked_copies(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["sk-or-v1-abcdefgh", "<sk-or-v1-abcdefgh", "sk-or-v1-abcdefgh>", "ab"])
def test_real_looking_keys_are_not_placeholders(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("<your key>", "the key contains spaces; paste one key at a time, with nothing around it"),
        ("<your-key>", "that is a placeholder, not a real key"),
        ("sk-or-…abcdefgh", "that is a masked copy of a key (it contains *** or …); paste the full key"),
        ("sk-or-***abcdefgh", "that is a masked copy of a key (it contains *** or …); paste the full key"),
        ("«sk-or-v1-abcdefgh»", "the key contains non-ASCII characters (often a copy-paste artifact such as a smart quote)"),
        ("'sk-or-v1-abcdefgh'", "the key is wrapped in quotes; paste it without them"),
        ("sk-or-v1-abcdefgh`", "the key is wrapped in quotes; paste it without them"),
        ("{changeme}", "that is a placeholder, not a real key"),
        ("sk=abc", "that looks like a command line or VAR=value, not a key; paste only the key itself"),
    ],
)
def test_key_problems_outside_the_plain_alphabet(raw, problem):
    assert key_problem(raw) == problem


def test_a_key_used_as_a_mapping_key_and_a_short_url_password_are_masked_too():
    assert render_config(f"{KEY}: 1\nurl: https://user:hunter22@host/x\n") == (
        '"…WXYZ": 1\nurl: "https://user:…22@host/x"\n')


def test_brackets_are_stripped_before_a_placeholder_is_looked_up_and_nothing_else_is():
    assert not is_placeholder("Xnone")
    assert not is_placeholder("XXnoneXX")


def test_only_the_first_scheme_separator_names_a_reference_and_a_full_stop_is_all_redact_keeps():
    assert mask("op://Private/item://x") == "op://Private/…"
    key = "sk-or-v1-" + "y" * 40 + "ABCX"
    assert redact(f"bad key {key}.") == "bad key …ABCX."


def test_upper_and_lower_case_are_different_kinds_of_character():
    assert looks_like_secret("aBcDeFgHiJkLmNoPqRsT")  # no digit, but it switches case at every step
    assert not looks_like_secret("abcdefghijklmnopqrst")


def test_a_fingerprint_is_taken_of_any_text_even_a_lone_surrogate():
    from hermes_setup_pools.keys.fingerprint import fingerprint

    assert fingerprint("abc") == "sha256:ba7816bf8f01cfea"
    assert fingerprint("a\udcff") == "sha256:" + __import__("hashlib").sha256(b"a\xed\xb3\xbf").hexdigest()[:16]


# -- a second mutation run: the boundaries of a key and a label ------------------------------------


def test_only_quotes_around_a_token_are_stripped_never_its_own_letters():
    assert looks_like_secret("aB3dE5gH7jK9mN1pQ3sX")  # 20 characters, the last an X
    assert looks_like_secret("XB3dE5gH7jK9mN1pQ3sT")
    assert looks_like_secret("sk-abcdX") and looks_like_secret('"sk-abcde"')


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("a1b2c3d4", None),  # 8 characters: long enough
        ("a1b2c3d", "that is too short to be an API key (under 8 characters)"),
        ("sk-" + "a" * 4091 + "==", None),  # 4096 characters, outside the plain alphabet
        ("sk-" + "a" * 4092 + "==", "the key is longer than 4096 characters; paste one key, nothing around it"),
        ("sk-or-v1-abc\u2028defghij", "the key contains control characters (a stray escape sequence or a copied newline?)"),
        ("sk-or-v1-abc\u2029defghij", "the key contains control characters (a stray escape sequence or a copied newline?)"),
        ("abcdefghijklmnop qrstuvwxyzabcdef", "that looks like two keys pasted together; add them one at a time"),
        ("abcdefghijklmno qrstuvwxyzabcdef", "the key contains spaces; paste one key at a time, with nothing around it"),
        ("X/aB3dE5gH7jK9mN1pQ3s=", None),  # starts with a letter that is no quote
        ("aB3/dE5gH7jK9mN1pQ3s=X", None),
        ("a1b2c3d4a", None),  # the same character first and last is not one character repeated
    ],
)
def test_key_problems_at_their_boundaries(raw, problem):
    assert key_problem(raw) == problem


@pytest.mark.parametrize(
    "line", ["curl\t-H\t'Authorization: Bearer x'", "hermes\tauth add openrouter", "Authorization:Bearer sk-or-v1-x"],
)
def test_a_command_is_recognised_whatever_separates_its_first_word(line):
    assert is_command_line(line)


def test_text_that_is_no_command_is_not_one():
    assert not is_command_line("") and not is_command_line("sk-or-v1-abcdefgh")


def test_a_label_shaped_like_one_of_the_providers_keys_is_refused_and_64_characters_are_allowed():
    label_is_a_key = "the label looks like an API key; labels are shown in the clear, so use a name"
    assert clean_label("team-abcdefgh", ("team-",)) == ("team-abcdefgh", label_is_a_key)
    assert clean_label("café team-abcdefgh", ("team-",)) == ("café team-abcdefgh", label_is_a_key)
    assert clean_label("team-abcdefgh") == ("team-abcdefgh", None)
    assert clean_label("x" * 64) == ("x" * 64, None)
    assert clean_label("x" * 65) == ("x" * 65, "the label is longer than 64 characters")


def test_a_paragraph_separator_inside_a_label_is_refused():
    assert clean_label("team\u2029b") == ("team\u2029b", "the label contains control or formatting characters")
