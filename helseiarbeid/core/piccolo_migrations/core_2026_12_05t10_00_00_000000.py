"""Logins through OpenID providers and DPoP-bound access tokens: the national-identity hash of a
user, the provider of a session, logins under way, and the DPoP proof replay cache."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "OpenID Connect logins and DPoP replay cache"


def _params(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(
        class_name="OidcLoginState", tablename="oidc_login_state", schema=None, columns=None
    )
    manager.add_table(
        class_name="DpopProofSeen", tablename="dpop_proof_seen", schema=None, columns=None
    )
    unique_hash = _params(length=64, unique=True, index=True)
    columns = [
        (
            "User",
            "app_user",
            "pid_hash",
            Varchar,
            _params(length=64, null=True, default=None, index=True),
        ),
        ("UserSession", "user_session", "login_provider", Varchar, _params(length=32, default="")),
        ("OidcLoginState", "oidc_login_state", "flow_hash", Varchar, unique_hash),
        ("OidcLoginState", "oidc_login_state", "provider", Varchar, _params(length=32, default="")),
        ("OidcLoginState", "oidc_login_state", "state", Varchar, _params(length=64, default="")),
        ("OidcLoginState", "oidc_login_state", "nonce", Varchar, _params(length=64, default="")),
        (
            "OidcLoginState",
            "oidc_login_state",
            "code_verifier",
            Varchar,
            _params(length=128, default=""),
        ),
        (
            "OidcLoginState",
            "oidc_login_state",
            "next_path",
            Varchar,
            _params(length=500, default="/"),
        ),
        (
            "OidcLoginState",
            "oidc_login_state",
            "expires_at",
            Timestamptz,
            _params(default=TimestamptzNow(), index=True),
        ),
        ("DpopProofSeen", "dpop_proof_seen", "proof_hash", Varchar, unique_hash),
        (
            "DpopProofSeen",
            "dpop_proof_seen",
            "expires_at",
            Timestamptz,
            _params(default=TimestamptzNow(), index=True),
        ),
    ]
    for class_name, tablename, name, column_class, params in columns:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
