"""The correction form's token: the instance secret, a signed token per rendered form, and the
keyed hash that counts a client's submissions without keeping its address.

A token names the study, the time it was issued and a random nonce; it is valid for that study
for TOKEN_MAX_AGE seconds. The secret is the app's SECRET_KEY when set, else one kept in the
instance data (web/workspace/auth.py signs its sign-in form with it too).
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import tempfile
from contextlib import suppress
from hashlib import sha256
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

log = logging.getLogger(__name__)

TOKEN_FIELD = "csrf_token"
TOKEN_SALT = "atlas.correction-form"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds a rendered form stays valid
TOKEN_CLOCK_SKEW = 5 * 60  # seconds a token may seem to come from the future (another process)
SECRET_FILE = "secret_key"


class BadToken(Exception):
    """The form's token is missing, forged, for another study or too old; the text says which."""


def instance_secret(data_dir: Path) -> str:
    """Return this instance's secret from data_dir, creating it (mode 0600) on first use.

    Kept in a file so tokens survive restarts and every thread and process signs alike. The
    file appears complete or not at all: it is written aside, then linked into place, and the
    loser of a race reads the winner's secret.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, aside = tempfile.mkstemp(dir=data_dir, prefix=".secret-")  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32))
                file.flush()
                os.fsync(file.fileno())
            with suppress(FileExistsError):  # another thread or process got there first
                os.link(aside, path)
        finally:
            os.unlink(aside)
    secret = path.read_text(encoding="ascii").strip()
    if not secret:  # a truncated copy, say: signing with "" would let anyone forge tokens
        raise ValueError(f"{path} is empty; delete it and a new secret is made")
    return secret


def form_secret() -> str | bytes:
    """Return the current app's signing secret: SECRET_KEY, else the instance secret."""
    if current_app.secret_key:
        return current_app.secret_key
    secret: str | None = current_app.extensions.get("contribute.secret")
    if secret is None:
        try:
            secret = instance_secret(Path(current_app.config["DATA_DIR"]))
        except (OSError, ValueError) as exc:
            # Study pages include the form, so an unusable data directory must not break them:
            # sign with a secret of this process (submissions then fail with a 503, text kept).
            log.error(
                "cannot keep a secret in %s (%s); tokens last until a restart",
                current_app.config["DATA_DIR"],
                exc,
            )
            secret = secrets.token_hex(32)
        current_app.extensions["contribute.secret"] = secret
    return secret


def _serializer(secret: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def issue_token(secret: str | bytes, slug: str, now: float) -> str:
    """Return a signed token for one rendered form: the study, the time and a random nonce."""
    token: str = _serializer(secret).dumps([slug, int(now), secrets.token_urlsafe(12)])
    return token


def read_token(
    secret: str | bytes, token: str, slug: str, now: float, max_age: int = TOKEN_MAX_AGE
) -> str:
    """Return the nonce of a valid token for this study; raises BadToken saying what is wrong."""
    if not token:
        raise BadToken("The form arrived without its security token.")
    try:
        signed_slug, issued, nonce = _serializer(secret).loads(token)
    except (BadSignature, TypeError, ValueError) as exc:
        raise BadToken("We could not verify that the form came from this site.") from exc
    if signed_slug != slug or not isinstance(issued, int) or issued > now + TOKEN_CLOCK_SKEW:
        raise BadToken("We could not verify that the form came from this site.")
    if now - issued > max_age:
        hours = max_age / 3600
        raise BadToken(f"The form was opened more than {hours:g} hours ago and has expired.")
    return str(nonce)


def client_hash(secret: str | bytes, address: str) -> str:
    """Return a keyed hash of a client address: enough to count its submissions, not to read it.

    Keyed, because a plain hash of an IPv4 address is reversed by trying all four billion.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, address.encode(), sha256).hexdigest()[:32]
