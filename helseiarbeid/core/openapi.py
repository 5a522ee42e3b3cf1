"""What the JSON API publishes about its errors and its authentication in /schema/openapi.json.

Every error under /api/ has one shape (``ErrorBody``, rendered by ``web_errors``), and each route
lists the statuses it can answer with, so API clients (and the contract test) can rely on them:

    @get("/{referral_id:int}", opt=READERS, responses=api_errors(403, 404, 422))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPIType,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)

from helseiarbeid.core.schemas import ErrorBody
from helseiarbeid.core.schemas import Schema as BodySchema

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

BEARER = "bearerToken"
DPOP = "helseIdDpop"
# The requirement every /api/ route declares (set on the API controllers and handlers).
BEARER_REQUIRED: list[SecurityRequirement] = [{BEARER: []}]
COMPONENTS = Components(
    security_schemes={
        BEARER: SecurityScheme(
            type="http",
            scheme="bearer",
            description="An API token from `helseiarbeid create-token` or the administrator.",
        ),
        DPOP: SecurityScheme(
            type="http",
            scheme="DPoP",
            description=(
                "A HelseID access token bound to the caller's key (RFC 9449): "
                "`Authorization: DPoP <token>` and one `DPoP` proof header per request, for "
                "its method and URL. When the service requires nonces, a proof without the "
                'current one is answered 401 `WWW-Authenticate: DPoP error="use_dpop_nonce"` '
                "with the nonce in `DPoP-Nonce`: sign a new proof with it and retry. The token "
                "must grant the scope the operation lists (prefixed with the service's "
                "audience, e.g. `nhn:helseiarbeid/referrals.write`); operations that list no "
                "HelseID requirement refuse these tokens (403 `insufficient_scope`)."
            ),
        ),
    }
)


def helseid_allowed(scope: str) -> list[SecurityRequirement]:
    """The requirement an operation open to HelseID tokens adds beside the controller's
    bearer token (OpenAPI ORs the list): a DPoP-bound token granting ``scope``, the same
    scope as its policy's ``needs_scope`` (the contract test holds them together)."""
    return [{DPOP: [scope]}]


ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request body is not valid JSON.",
    401: (
        "No valid API token (`WWW-Authenticate: Bearer`), or a HelseID token or DPoP proof "
        'refused (`WWW-Authenticate: DPoP error="invalid_token"`, `"invalid_dpop_proof"` or '
        '`"use_dpop_nonce"` with a `DPoP-Nonce` header).'
    ),
    403: "The caller's role may not use this operation.",
    404: "Nothing with this id, or nothing the caller may see.",
    409: "The request conflicts with the current state (status, booking or version).",
    413: "The request body is too large.",
    415: "The body is not of the media type the operation takes.",
    422: "A parameter or field is invalid; `errors` names each field where it can.",
}
# What any route with a JSON body can answer because of the body alone.
BODY_ERRORS = (400, 413, 422)


def api_errors(*statuses: int, body: bool = False) -> dict[int, ResponseSpec]:
    """The error answers of an /api/ route: 401 always (every API route needs a token), the
    statuses named, and with ``body=True`` those of a JSON body (400, 413, 422)."""
    codes = sorted({401, *statuses, *(BODY_ERRORS if body else ())})
    return {
        code: ResponseSpec(
            data_container=ErrorBody,
            description=ERROR_DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }


class StrictBodySchemaPlugin(StructSchemaPlugin):
    """Publishes what msgspec enforces on our bodies but Litestar's schema leaves out: unknown
    fields are refused (``additionalProperties: false``), ids inside lists keep their bounds, and
    the keys of an id-keyed object are digits. Without it the published schema promised that
    bodies the API refuses with 422 were valid."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and (
            field_definition.is_subclass_of(BodySchema)
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType):  # pragma: no cover - a Struct
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            published = (schema.properties or {}).get(field.encode_name)
            if isinstance(published, Schema):
                _publish_nested_bounds(published, field.type)
        return schema


def _publish_nested_bounds(published: Schema, declared: msgspec.inspect.Type) -> None:
    if isinstance(declared, msgspec.inspect.UnionType):
        for variant in declared.types:
            for option in published.one_of or []:
                if isinstance(option, Schema):
                    _publish_nested_bounds(option, variant)
        return
    if isinstance(declared, msgspec.inspect.ListType) and published.type == OpenAPIType.ARRAY:
        item = declared.item_type
        if isinstance(item, msgspec.inspect.IntType) and isinstance(published.items, Schema):
            published.items.minimum = item.ge
            published.items.maximum = item.le
    elif (
        isinstance(declared, msgspec.inspect.DictType)
        and isinstance(declared.key_type, msgspec.inspect.IntType)
        and published.type == OpenAPIType.OBJECT
    ):
        # JSON keys are strings; msgspec reads plain decimal digits (ids have no sign).
        published.property_names = Schema(type=OpenAPIType.STRING, pattern=r"^[1-9][0-9]{0,9}$")
