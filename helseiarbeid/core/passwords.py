"""Password hashing with argon2id at OWASP's minimum cost (19 MiB, t=2, p=1) or above."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# A hash of nothing in particular: verifying against it keeps a login for an unknown
# account as slow as one for a known account, so timing does not reveal which emails exist.
_DECOY_HASH = HASHER.hash("decoy password that matches nothing")

MIN_PASSWORD_LENGTH = 12
# zxcvbn's score (0–4) a new password must reach: 3 is "safely unguessable" against an
# offline attack at moderate speed (its own docs); it knows common passwords, repeats,
# sequences, keyboard patterns and dictionary words, and the user's own name and address.
MIN_PASSWORD_SCORE = 3


def weakness(password: str, user_inputs: list[str]) -> str | None:
    """Why ``password`` is too easy to guess (in English, as the CLI's other messages), or
    None. ``user_inputs`` are the user's own words (name, e-mail address), which a password
    must not lean on. Source: issue 12 §5, OWASP ASVS 2.1.7 (check against breached and
    common passwords) — zxcvbn ships the lists."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    result = zxcvbn(password[:100], user_inputs=user_inputs)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    hint = result["feedback"]["warning"] or "it is a common or easily guessed password"
    return f"is too easy to guess: {hint.rstrip('.')}"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _DECOY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
