"""Keys kept outside the database: one to encrypt secret settings, one to sign backups.

Each key comes from the environment (``JEWELERP_SECRET_KEY``, ``JEWELERP_BACKUP_KEY``: 32 random
bytes in URL-safe base64, e.g. from ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``), or else from a key file in the data folder (the folder
of the SQLite database, ``.data/`` for other databases) created with mode 0600 on first use.
Keep a copy of both keys apart from the backups: without the backup key no backup can be
restored, and without the secret key the saved SMTP password must be typed again.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url

from jewelerp.db import DEFAULT_DB_PATH, database_url
from jewelerp.errors import JewelError

SECRET = "secret"
BACKUP = "backup"
KEY_BYTES = 32


def data_dir() -> Path:
    """The folder of the embedded SQLite database, or ``.data/`` when the database is elsewhere."""
    url = make_url(database_url())
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    return DEFAULT_DB_PATH.parent


def env_name(name: str) -> str:
    """The environment variable that holds key ``name`` (``JEWELERP_SECRET_KEY``)."""
    return f"JEWELERP_{name.upper()}_KEY"


def _valid(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise JewelError(f"{where} must hold {KEY_BYTES} random bytes in URL-safe base64 (44 characters).")
    return text.strip().encode("ascii")


def _create_key_file(path: Path) -> None:
    """Write a fresh key to ``path`` (0600) unless another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
        os.link(draft, path)  # atomic: the first writer wins and nobody reads a half-written key
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def load_key(name: str) -> bytes:
    """Key ``name`` (:data:`SECRET` or :data:`BACKUP`) as URL-safe base64, from the environment or its file."""
    variable = env_name(name)
    if os.environ.get(variable, "").strip():
        return _valid(os.environ[variable], variable)
    path = data_dir() / f"{name}.key"
    if not path.exists():
        _create_key_file(path)
    return _valid(path.read_text(encoding="ascii"), str(path))


def raw_key(name: str) -> bytes:
    """Key ``name`` as its 32 raw bytes (for HMAC)."""
    return base64.urlsafe_b64decode(load_key(name))


def encrypt_secret(text: str) -> str:
    """``text`` encrypted and authenticated with the secret key (a Fernet token)."""
    return Fernet(load_key(SECRET)).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_secret(token: str) -> str:
    """The text inside a token from :func:`encrypt_secret`; JewelError when this key did not make it."""
    try:
        return Fernet(load_key(SECRET)).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise JewelError(
            f"A saved secret cannot be read with this server's key ({env_name(SECRET)}); enter it again."
        ) from exc
