"""The credential formulas against the spec's own examples, and their basic properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dmmodel.protocol import credentials as c

names = st.text(min_size=1, max_size=20).filter(lambda s: ":" not in s)
texts = st.text(max_size=20)


def test_basic_matches_the_spec_example():
    assert c.basic("Bruce2", "OhBehave") == "QnJ1Y2UyOk9oQmVoYXZl"


def test_md5_digest_matches_the_spec_example():
    assert c.md5_digest("Bruce2", "OhBehave", "Nonce") == "Zz6EivR3yeaaENcRN6lpAQ=="


def test_mac_header_carries_name_and_mac():
    header = c.mac_header("Bruce2", "OhBehave", "Nonce", "<SyncML/>")
    assert header == (
        f'algorithm=MD5, username="Bruce2", mac={c.mac_value("Bruce2", "OhBehave", "Nonce", "<SyncML/>")}'
    )


@given(names, texts, texts)
def test_verify_accepts_what_make_produced(name, secret, nonce):
    assert c.verify_md5(c.md5_digest(name, secret, nonce), name, secret, nonce)
    assert c.verify_basic(c.basic(name, secret), name, secret)


@given(names, texts, texts, texts, st.sampled_from(["name", "secret", "nonce", "body"]), st.data())
def test_changing_any_input_changes_the_mac(name, secret, nonce, body, which, data):
    args = {"name": name, "secret": secret, "nonce": nonce, "body": body}
    other = data.draw((names if which == "name" else texts).filter(lambda x: x != args[which]))
    changed = dict(args, **{which: other})
    assert c.mac_value(**args) != c.mac_value(**changed)
    if which != "body":
        digest_args = {k: v for k, v in args.items() if k != "body"}
        digest_changed = {k: v for k, v in changed.items() if k != "body"}
        assert c.md5_digest(**digest_args) != c.md5_digest(**digest_changed)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: c.md5_digest("", "s", "n"), "name must not be empty"),
        (lambda: c.md5_digest(5, "s", "n"), "name must be text"),
        (lambda: c.basic("a:b", "s"), "must not contain ':'"),
        (lambda: c.mac_value("a", None, "n", "b"), "secret must be text"),
        (lambda: c.notification_digest("srv", "s", 3, "t"), "nonce must be text"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
