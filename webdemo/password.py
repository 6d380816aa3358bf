"""Password hashing: webdemo stores a salted hash, never a password."""

import base64
import hashlib
import hmac
import os

_ALGORITHM = 'pbkdf2_sha256'
_ITERATIONS = 600_000
_SALT_BYTES = 16


def _b64(raw):
    return base64.b64encode(raw).decode('ascii')


def _derive(password, salt, iterations):
    return hashlib.pbkdf2_hmac('sha256', password.encode('utf-8'), salt,
                               iterations)


def hash_password(password):
    """Return a self-describing hash of password.

    The result reads ``pbkdf2_sha256$<iterations>$<salt>$<hash>`` so that
    the iteration count can grow without breaking stored hashes.
    """
    salt = os.urandom(_SALT_BYTES)
    digest = _derive(password, salt, _ITERATIONS)
    return f'{_ALGORITHM}${_ITERATIONS}${_b64(salt)}${_b64(digest)}'


def verify_password(password, stored_hash):
    """Say whether password matches a hash made by hash_password."""
    try:
        algorithm, iterations, salt, digest = stored_hash.split('$')
    except (AttributeError, ValueError):
        return False
    if algorithm != _ALGORITHM:
        return False
    candidate = _derive(password, base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(_b64(candidate), digest)
