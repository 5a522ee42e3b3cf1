"""Users, their logins and API tokens, login attempts, and the append-only audit log."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from helseiarbeid.core.roles import Role


class User(Table, tablename="app_user"):
    id: Serial  # added by Piccolo; declared for type checkers
    email = Varchar(length=254, unique=True, index=True)
    name = Varchar(length=200)
    role = Varchar(length=32, choices=Role, index=True)
    hpr_number = Varchar(length=9, null=True, default=None)
    # The HER-id (national address register) of a health professional who sends messages.
    her_id = Varchar(length=16, null=True, default=None, index=True)
    # Where the user works (a GP's office, the clinic, an enterprise), shown on letters.
    workplace_name = Varchar(length=200, default="")
    workplace_address = Varchar(length=300, default="")
    workplace_phone = Varchar(length=30, default="")
    password_hash = Varchar(length=200, null=True, default=None)
    # The national identity from an identity provider, only as an HMAC (core/external_identity.py);
    # unique (an index made by migration: SQLite cannot add a UNIQUE column).
    pid_hash = Varchar(length=64, null=True, default=None, index=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class UserSession(Table, tablename="user_session"):
    """A browser login. The cookie holds a random token; only its SHA-256 is stored."""

    id: Serial  # added by Piccolo; declared for type checkers
    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    # The OpenID provider the login came through ("" for a password login), for its logout.
    login_provider = Varchar(length=32, default="")


class OidcLoginState(Table, tablename="oidc_login_state"):
    """A login through an OpenID provider under way (core/oidc_login.py): the browser holds a
    random value in a cookie, only its SHA-256 is stored, with the state, nonce and PKCE
    verifier the provider's answer must match. Used once; lives ten minutes."""

    id: Serial  # added by Piccolo; declared for type checkers
    flow_hash = Varchar(length=64, unique=True, index=True)
    provider = Varchar(length=32)
    state = Varchar(length=64)
    nonce = Varchar(length=64)
    code_verifier = Varchar(length=128)
    next_path = Varchar(length=500, default="/")
    expires_at = Timestamptz(index=True)


class DpopProofSeen(Table, tablename="dpop_proof_seen"):
    """The replay cache of DPoP proofs (RFC 9449 § 11.1), shared by all workers: a proof's
    key thumbprint and jti, hashed, until the proof is too old to be accepted anyway."""

    id: Serial  # added by Piccolo; declared for type checkers
    proof_hash = Varchar(length=64, unique=True, index=True)
    expires_at = Timestamptz(index=True)


class RequestWindow(Table, tablename="request_window"):
    """Request counts of one limit, key and time window (core/ratelimit.py), shared by every
    server process. ``window_key`` is a SHA-256 of the limit's name, the key and the window
    number, so neither a token nor an address is stored."""

    id: Serial  # added by Piccolo; declared for type checkers
    window_key = Varchar(length=64, unique=True, index=True)
    hits = Integer(default=0)
    expires_at = Timestamptz(index=True)


class SecondFactor(Table, tablename="second_factor"):
    """A user's TOTP authenticator (RFC 6238), one per user (core/totp.py).

    ``secret`` is the base32 secret encrypted with AES-GCM under a key derived from the
    service's secret key, never stored or logged in clear. ``last_used_step`` is the 30-second
    time step of the last accepted code: a code of that step or earlier is refused, so a code
    cannot be replayed. ``demo`` marks a published demo secret (seed-demo), the only kind whose
    codes ``helseiarbeid totp-code`` will print."""

    id: Serial  # added by Piccolo; declared for type checkers

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True, index=True)
    secret = Varchar(length=200)
    enrolled_at = Timestamptz()
    last_used_step = Integer(null=True, default=None)
    demo = Boolean(default=False)


class RecoveryCode(Table, tablename="recovery_code"):
    """A single-use recovery code for a lost authenticator: only its SHA-256 is stored."""

    id: Serial  # added by Piccolo; declared for type checkers

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    code_hash = Varchar(length=64, index=True)
    used_at = Timestamptz(null=True, default=None)


class PendingLogin(Table, tablename="pending_login"):
    """A login between its password and its second factor: it grants nothing else.

    The browser holds a random ticket (cookie ``hia_login``, path /login); the row keeps its
    SHA-256, whose password was right, where to go after, and for a first enrolment the new
    authenticator's secret (encrypted as in SecondFactor) until a code from it is confirmed."""

    id: Serial  # added by Piccolo; declared for type checkers

    ticket_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    next_path = Varchar(length=500, default="/")
    new_secret = Varchar(length=200, default="")
    expires_at = Timestamptz(index=True)


class KeptForm(Table, tablename="kept_form"):
    """A page form posted after its user's session had expired, kept for a few minutes so the
    same user finds it filled in again after logging in (core/kept_forms.py). The browser holds
    a random ticket in a cookie; only its SHA-256 is stored. The row is deleted when it is
    used, when someone else logs in with the ticket, and when it expires."""

    id: Serial  # added by Piccolo; declared for type checkers
    ticket_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    path = Varchar(length=500)  # the page the form was on, where it is given back
    action = Varchar(length=500)  # where the form was posted (which form of the page)
    fields = Text()  # JSON: [[name, value], ...] as posted, without the CSRF token
    expires_at = Timestamptz(index=True)


class ApiToken(Table, tablename="api_token"):
    """A bearer token for a system client (e.g. a GP's record system). Stored only as a hash."""

    id: Serial  # added by Piccolo; declared for type checkers
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, unique=True, index=True)
    # The first characters of the token, so an owner can tell tokens apart in a list.
    token_prefix = Varchar(length=16)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # No token lives for ever (HELSEIARBEID_API_TOKEN_MAX_DAYS); null only before migration.
    expires_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    id: Serial  # added by Piccolo; declared for type checkers
    email = Varchar(length=254, index=True)
    address = Varchar(length=64, index=True)
    succeeded = Boolean(default=False)
    attempted_at = Timestamptz(index=True)


class AuditEvent(Table, tablename="audit_event"):
    """One access to health data (pasientjournalforskriften § 14). Rows are never changed.

    Database triggers refuse UPDATE and DELETE on both engines (see the migration).
    ``patient_id`` and ``referral_id`` point into the individual track without a foreign key,
    so core does not depend on the domains and the log outlives whatever it describes.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    occurred_at = Timestamptz(index=True)
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True, null=True)
    actor_role = Varchar(length=32)
    action = Varchar(length=32, index=True)
    resource_type = Varchar(length=50)
    resource_id = Varchar(length=64, default="")
    patient_id = Integer(null=True, default=None, index=True)
    referral_id = Integer(null=True, default=None, index=True)
    purpose = Text(default="")
    client = Varchar(length=16, default="web")
    # The hash chain (core/audit_chain.py): position, the previous row's hash, this row's.
    chain_seq = Integer(null=True, default=None, index=True)
    prev_hash = Varchar(length=64, default="")
    chain_hash = Varchar(length=64, default="")


class AuditChainHead(Table, tablename="audit_chain_head"):
    """One row (id 1): the last position and hash of the audit chain, locked by each writer so
    concurrent writers extend the chain one after the other instead of forking it."""

    id: Serial  # added by Piccolo; declared for type checkers
    seq = Integer(default=0)
    hash = Varchar(length=64, default="")


class BusyPeriod(Table, tablename="busy_period"):
    """Time a staff member is booked, from either track: one calendar, one rule.

    ``buffer_minutes`` is the travel time the booking needs on each side (on-site company
    sessions); two bookings clash when they come closer than the larger of their buffers.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    staff = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz(index=True)
    buffer_minutes = Integer(default=0)
    kind = Varchar(length=32)
    source_id = Integer(index=True)


class OutboxMessage(Table, tablename="outbox_message"):
    """Something that leaves the service (a mail; later a health message), written in the same
    transaction as the change that caused it and delivered by the outbox worker (core/outbox.py).

    ``channel`` names the transport; ``recipients`` is a JSON list of addresses; ``body`` the
    text. A message is due while it is neither delivered nor given up and ``next_attempt_at``
    has passed; a failed one is kept, with its last error, for someone to send again.
    """

    id: Serial  # added by Piccolo; declared for type checkers
    channel = Varchar(length=16)
    recipients = Text()
    subject = Varchar(length=300, default="")
    body = Text(default="")
    created_at = Timestamptz()
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_error = Varchar(length=300, default="")
    delivered_at = Timestamptz(null=True, default=None, index=True)
    failed_at = Timestamptz(null=True, default=None, index=True)
