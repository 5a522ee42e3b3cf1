"""Users: creation with validation, lookup, and password checks."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from litestar.concurrency import sync_to_thread

from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.database import is_unique_violation, write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.identifiers import IdentifierError, validate_hpr_number
from helseiarbeid.core.passwords import hash_password, verify_password, weakness
from helseiarbeid.core.roles import HEALTH_PERSONNEL_ROLES, Role
from helseiarbeid.core.tables import User


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the rest of the app sees it (no password hash)."""

    id: int
    email: str
    name: str
    role: Role
    hpr_number: str | None
    workplace_name: str
    workplace_address: str
    workplace_phone: str

    @classmethod
    def from_row(cls, row: dict[str, object]) -> CurrentUser:
        return cls(
            id=int(row["id"]),  # type: ignore[call-overload]
            email=str(row["email"]),
            name=str(row["name"]),
            role=Role(str(row["role"])),
            hpr_number=row["hpr_number"] if row["hpr_number"] else None,  # type: ignore[arg-type]
            workplace_name=str(row["workplace_name"]),
            workplace_address=str(row["workplace_address"]),
            workplace_phone=str(row["workplace_phone"]),
        )


USER_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.role,
    User.hpr_number,
    User.workplace_name,
    User.workplace_address,
    User.workplace_phone,
)


# Letters a domain name may have besides a–z: Latin-1 and Latin Extended-A (æ ø å, the Sami
# á č đ ŋ š ŧ ž, ...), without the three that pass for other letters: ı (i), ĸ (k), ſ (s).
_DOMAIN_LETTERS = frozenset(
    chr(code) for code in range(0xC0, 0x180) if chr(code).isalpha() and chr(code) not in "ıĸſ"
)


def normalise_email(email: str) -> str:
    """The form an e-mail address is stored and looked up in; never raises.

    Surrounding white space stripped, Unicode NFKC (so full-width letters and ligatures such as
    «ﬁ» become the letters they look like), lower case, and the domain in IDNA's form
    (``KARI@Bærum.NO`` and ``kari@xn--brum-voa.no`` are one address). Look-alike letters from
    other scripts are *not* folded: a Cyrillic «а» stays itself, so a login with a look-alike
    address never finds — or counts failures against — the real account. Used for every
    lookup by e-mail (login, throttling, create-token) and, after ``validate_email_address``,
    for storing.
    """
    folded = unicodedata.normalize("NFKC", email.strip()).lower()
    try:
        return str(validate_email(folded, check_deliverability=False).normalized)
    except EmailNotValidError:
        return folded


def has_control_characters(text: str) -> bool:
    """True when the text holds a control or invisible format character (NUL, zero-width ...)."""
    return any(unicodedata.category(character) in ("Cc", "Cf") for character in text)


def validate_email_address(email: str) -> str:
    """A new user's e-mail address in its stored form (``normalise_email``), or InvalidInput.

    Refused, so no account can be a look-alike of another: anything but ASCII before the @
    (no international letters there: «koordinаtor» with a Cyrillic «а» looks exactly like
    the real «koordinator»), and domain names with letters other than Latin ones (æ, ø, å and
    the Sami letters are fine; Cyrillic «аpple» or Latin-looking ı, ĸ, ſ are not). Syntax and
    IDNA rules come from email-validator. Messages are for the CLI, in English.
    """
    normalised = normalise_email(email)
    problem = f"{email!r} is not an email address"
    if has_control_characters(normalised):
        raise InvalidInput({"email": problem})
    try:
        checked = validate_email(normalised, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        if not normalised.partition("@")[0].isascii():
            problem = (
                f"{email!r}: only ASCII letters a–z, digits and punctuation are allowed before "
                "the @ (letters from other alphabets can pass for ones in another address)"
            )
        raise InvalidInput({"email": problem}) from exc
    if any(
        character.isalpha() and not character.isascii() and character not in _DOMAIN_LETTERS
        for character in checked.domain
    ):
        raise InvalidInput(
            {
                "email": f"{email!r}: the domain may only have Latin letters "
                "(letters from other alphabets can pass for ones in another address)"
            }
        )
    return str(checked.normalized)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidInput({"role": f"unknown role {value!r}; use one of: {allowed}"}) from None


# The longest name and workplace name stored (app_user.name, app_user.workplace_name).
NAME_MAX = 200


def validate_new_user(
    *, email: str, name: str, role: Role, hpr_number: str | None, password: str | None = None
) -> tuple[str, str | None]:
    """Check a new user's fields; returns the normalised email and HPR number."""
    problems: dict[str, str] = {}
    try:
        email = validate_email_address(email)
    except InvalidInput as exc:
        problems.update(exc.fields)
    if not name.strip():
        problems["name"] = "a name is required"
    elif len(name.strip()) > NAME_MAX:
        problems["name"] = f"a name has at most {NAME_MAX} characters"
    if hpr_number:
        try:
            hpr_number = validate_hpr_number(hpr_number)
        except IdentifierError:
            problems["hpr"] = f"{hpr_number!r} is not an HPR number (4–9 digits, no leading 0)"
    elif role in HEALTH_PERSONNEL_ROLES:
        problems["hpr"] = f"an HPR number is required for the role {role.value}"
    if password is not None:
        weak = weakness(password, [name, *email.split("@")])
        if weak:
            problems["password"] = weak
    if problems:
        raise InvalidInput(problems)
    return email, hpr_number or None


async def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
    hpr_number: str | None = None,
    workplace_name: str = "",
    workplace_address: str = "",
    workplace_phone: str = "",
) -> CurrentUser:
    """Validate and store a new user. Raises InvalidInput naming the field that is wrong.

    Without ``password`` and ``password_hash`` the user can only use API tokens.
    ``password_hash`` (from ``passwords.hash_password``) lets demo data hash its one shared
    password once instead of once per user.
    """
    email, hpr_number = validate_new_user(
        email=email, name=name, role=role, hpr_number=hpr_number, password=password
    )
    if password:
        password_hash = await sync_to_thread(hash_password, password)
    duplicate = InvalidInput({"email": f"a user with the email {email} already exists"})
    try:
        async with write_transaction():
            if await User.exists().where(User.email == email):
                raise duplicate
            rows = await User.insert(
                User(
                    email=email,
                    name=name.strip(),
                    role=role.value,
                    hpr_number=hpr_number or None,
                    workplace_name=workplace_name,
                    workplace_address=workplace_address,
                    workplace_phone=workplace_phone,
                    password_hash=password_hash,
                    created_at=utcnow(),
                )
            )
    except Exception as error:
        if is_unique_violation(error):
            raise duplicate from error
        raise
    return await get_user(rows[0]["id"])


async def get_user(user_id: int) -> CurrentUser:
    row = await User.select(*USER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    return CurrentUser.from_row(row)


async def get_active_user_by_email(email: str) -> CurrentUser:
    row = (
        await User.select(*USER_COLUMNS)
        .where((User.email == normalise_email(email)) & (User.is_active == True))  # noqa: E712
        .first()
    )
    if row is None:
        raise NotFound(f"no active user with the email {normalise_email(email)}")
    return CurrentUser.from_row(row)


async def check_password(email: str, password: str) -> CurrentUser | None:
    """The user if the email belongs to an active user with this password, else None."""
    row = (
        await User.select(*USER_COLUMNS, User.password_hash)
        .where((User.email == normalise_email(email)) & (User.is_active == True))  # noqa: E712
        .first()
    )
    stored_hash = row["password_hash"] if row else None
    if not await sync_to_thread(verify_password, stored_hash, password):
        return None
    return CurrentUser.from_row(row) if row else None


async def list_users() -> list[CurrentUser]:
    rows = await User.select(*USER_COLUMNS).order_by(User.role).order_by(User.name)
    return [CurrentUser.from_row(row) for row in rows]


async def find_or_register_gp(
    *, name: str, hpr_number: str, her_id: str, workplace_name: str, workplace_phone: str
) -> CurrentUser:
    """The GP who sent a health message: by HPR number, else by HER-id; an unknown GP is
    registered (role gp, no password, so no login until an administrator gives one) with an
    address in the reserved ``.invalid`` domain (RFC 2606) that no mail can reach, and the
    HPR number and HER-id the message gave, so the next message finds the same user.

    ``hpr_number`` must be valid (``validate_hpr_number``). Runs inside the caller's write
    transaction; a concurrent registration of the same GP ends in a unique violation on the
    email, which the caller's retry resolves.
    """
    found = (
        await User.select(*USER_COLUMNS, User.her_id)
        .where((User.role == Role.GP.value) & (User.hpr_number == hpr_number))
        .first()
    )
    if found is None and her_id:
        found = (
            await User.select(*USER_COLUMNS, User.her_id)
            .where((User.role == Role.GP.value) & (User.her_id == her_id))
            .first()
        )
    if found is not None:
        if her_id and not found["her_id"]:  # known already: no write (a round trip saved)
            await User.update({User.her_id: her_id}).where(
                (User.id == found["id"]) & User.her_id.is_null()
            )
        return CurrentUser.from_row(found)
    rows = await User.insert(
        User(
            email=f"hpr-{hpr_number}@fastlege.invalid",
            name=name.strip()[:200] or f"Fastlege (HPR {hpr_number})",
            role=Role.GP.value,
            hpr_number=hpr_number,
            her_id=her_id or None,
            workplace_name=workplace_name[:200],
            workplace_phone=workplace_phone[:30],
            password_hash=None,
            created_at=utcnow(),
        )
    )
    return await get_user(rows[0]["id"])
