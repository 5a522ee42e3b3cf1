"""Password hashing with argon2id at OWASP's minimum cost (19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# A hash of nothing in particular: verifying against it keeps a login for an unknown
# account as slow as one for a known account, so timing does not reveal which emails exist.
_DECOY_HASH = HASHER.hash("decoy password that matches nothing")

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _DECOY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
