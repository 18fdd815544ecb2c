"""Real OMA DM 1.2.1 credentials: the formulas of DM Security, computed exactly.

The checker compares secret generations; the executable machines use these functions, and a
test shows that the two agree. Each maker rejects bad input with a ``ValueError`` up front.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = [
    "basic",
    "md5_digest",
    "mac_header",
    "mac_value",
    "notification_digest",
    "verify_basic",
    "verify_md5",
]


def _text(value: object, what: str, *, allow_empty: bool = True) -> bytes:
    """Encode a text argument as UTF-8, refusing non-text and (optionally) empty values."""
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        raise ValueError(f"{what} must be text (str or bytes), not {type(value).__name__}")
    if not allow_empty and not data:
        raise ValueError(f"{what} must not be empty")
    return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # noqa: S324 - the spec mandates MD5


def _inner(name: object, secret: object) -> bytes:
    """``B64(H(name ":" secret))``, the part shared by the digest, MAC and notification forms."""
    user = _text(name, "name", allow_empty=False)
    if b":" in user:
        raise ValueError("name must not contain ':' (it separates name and secret)")
    return _b64(_md5(user + b":" + _text(secret, "secret"))).encode("ascii")


def basic(name: object, secret: object) -> str:
    """``syncml:auth-basic``: ``B64(name ":" secret)``."""
    user = _text(name, "name", allow_empty=False)
    if b":" in user:
        raise ValueError("name must not contain ':' (it separates name and secret)")
    return _b64(user + b":" + _text(secret, "secret"))


def md5_digest(name: object, secret: object, nonce: object) -> str:
    """``syncml:auth-md5``: ``B64(H(B64(H(name ":" secret)) ":" nonce))`` (DM 1.2 form)."""
    return _b64(_md5(_inner(name, secret) + b":" + _text(nonce, "nonce")))


def mac_value(name: object, secret: object, nonce: object, body: object) -> str:
    """``syncml:auth-MAC`` value: ``B64(H(B64(H(name ":" secret)) ":" nonce ":" B64(H(body))))``."""
    body_hash = _b64(_md5(_text(body, "body"))).encode("ascii")
    return _b64(_md5(_inner(name, secret) + b":" + _text(nonce, "nonce") + b":" + body_hash))


def mac_header(name: object, secret: object, nonce: object, body: object) -> str:
    """The transport header value ``x-syncml-hmac`` that carries the MAC."""
    mac = mac_value(name, secret, nonce, body)
    return f'algorithm=MD5, username="{_text(name, "name").decode()}", mac={mac}'


def notification_digest(server_id: object, secret: object, nonce: object, trigger: object) -> str:
    """Package 0 digest ``H(B64(H(server-id ":" secret)) ":" nonce ":" B64(H(trigger)))``.

    The 128-bit digest travels in binary; it is returned base64-encoded so that it prints.
    """
    return mac_value(server_id, secret, nonce, trigger)


def verify_basic(credential: str, name: object, secret: object) -> bool:
    """True when ``credential`` is the basic credential of ``name`` and ``secret``."""
    return hmac.compare_digest(credential, basic(name, secret))


def verify_md5(credential: str, name: object, secret: object, nonce: object) -> bool:
    """True when ``credential`` is the MD5 digest of ``name``, ``secret`` and ``nonce``."""
    return hmac.compare_digest(credential, md5_digest(name, secret, nonce))
