"""A stand-in for Norsk Helsenett's message server, for tests only: a real HTTP server in its
own process (werkzeug, a real socket) that cannot drift from the real contracts.

    python -m tests.messaging.msh_standin CONFIG.json

CONFIG.json: {"port", "state" (a JSON file it keeps everything in, so a restarted stand-in
goes on where it stopped), "issuer" (the OpenID provider whose tokens it accepts), "audience",
"scope", "die_on" (optional: [method, path pattern, n] — the process ends, as if it crashed,
when the n-th authenticated request of that method to a path matching the pattern arrives,
before doing it)}.

Every request to the API and every answer to it is checked against the published OpenAPI
document (../shared/standards/nhn/msh-api-v2.json) with openapi-core; a request that does not
fit is answered 400 and both kinds of misfit are kept in ``violations`` (the tests require
none). Two changes to the document, both about where it runs, not what it says: ``servers``
is this stand-in's address, and the ``Bearer`` scheme is checked as ``DPoP`` — the message
server takes HelseID's DPoP-bound tokens (``Authorization: DPoP …``, RFC 9449 § 7.1), which
the document's security scheme does not name.

Authentication, checked independently of the service's own code: the access token is a JWT
signed by a key in the provider's JWKS, typ at+jwt, the issuer, the audience, unexpired, with
the scope and a ``cnf.jkt``; the DPoP proof (RFC 9449 § 4.3) is typ dpop+jwt, ES256 with a
public ``jwk`` that verifies it and whose thumbprint is ``cnf.jkt``, ``htm``/``htu`` of this
request, ``iat`` within 60 s, a ``jti`` never seen, ``ath`` the token's hash, and the nonce
this stand-in hands out (the first request is answered 401 ``use_dpop_nonce``).

Test controls (outside the API, not validated) under ``/_standin/``: POST ``inbox`` puts a
message for a receiver, POST ``receipt`` makes the receiver of a sent message answer with an
AppRec, GET ``state`` shows everything.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from lxml import etree
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.routing import Map, Rule
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SPEC = Path(__file__).resolve().parents[3] / "shared" / "standards" / "nhn" / "msh-api-v2.json"
NS_MSGHEAD = "http://www.kith.no/xmlstds/msghead/2006-05-24"
PROOF_MAX_AGE = 60


def spec_path() -> Path:
    """The OpenAPI document: ../shared/standards from the repository (a worktree's too)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "standards" / "nhn" / "msh-api-v2.json"
        if candidate.exists():
            return candidate
    return SPEC


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Refused(Exception):
    def __init__(self, status: int, error: str, challenge: str = "") -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.challenge = challenge


class StandIn:
    def __init__(self, config: dict[str, Any]) -> None:
        self.port = int(config["port"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.state_file = Path(config["state"])
        self.issuer = config["issuer"]
        self.audience = config.get("audience", "nhn:msh")
        self.scope = config.get("scope", "nhn:msh/api")
        self.die_on: list[Any] | None = config.get("die_on")
        self.matching = 0
        self.lock = threading.Lock()
        self.nonce = secrets.token_urlsafe(16)
        self.jtis: set[str] = set()
        document = json.loads(spec_path().read_text())
        document = copy.deepcopy(document)
        document["servers"] = [{"url": self.base}]
        scheme = document["components"]["securitySchemes"]["Bearer"]
        scheme["scheme"] = "dpop"
        scheme.pop("bearerFormat", None)  # OpenAPI allows it with the bearer scheme only
        self.openapi = OpenAPI.from_dict(document)
        self.keys: KeySet | None = None
        self.state: dict[str, Any] = (
            json.loads(self.state_file.read_text())
            if self.state_file.exists()
            else {"inbox": {}, "sent": {}, "violations": [], "requests": []}
        )
        self.routes = Map(
            [
                Rule("/Messages", methods=["GET"], endpoint="GetMessages"),
                Rule("/Messages", methods=["POST"], endpoint="PostMessage"),
                Rule("/Messages/<id>", methods=["GET"], endpoint="GetMessage"),
                Rule(
                    "/Messages/<id>/business-document",
                    methods=["GET"],
                    endpoint="GetBusinessDocument",
                ),
                Rule("/Messages/<id>/status", methods=["GET"], endpoint="GetStatus"),
                Rule("/Messages/<id>/apprec", methods=["GET"], endpoint="GetApprecInfo"),
                Rule("/Messages/<id>/apprec/<her_id>", methods=["POST"], endpoint="PostAppRec"),
                Rule("/Messages/<id>/read/<her_id>", methods=["PUT"], endpoint="MarkMessageAsRead"),
            ]
        )

    # -- state -----------------------------------------------------------------------------

    def save(self) -> None:
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state))
        temporary.replace(self.state_file)

    # -- authentication --------------------------------------------------------------------

    def _jwks(self, refresh: bool = False) -> KeySet:
        if self.keys is None or refresh:
            discovery = httpx.get(f"{self.issuer}/.well-known/openid-configuration").json()
            self.keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())
        return self.keys

    def authenticate(self, request: Request) -> None:
        authorization = request.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme != "DPoP" or not token:
            raise Refused(401, "invalid_token", 'DPoP error="invalid_token"')
        try:
            header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
            keys = self._jwks()
            try:
                keys.get_by_kid(header.get("kid"))
            except (ValueError, KeyError):
                keys = self._jwks(refresh=True)
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
        except Exception as exc:
            raise Refused(401, f"invalid_token: {exc}", 'DPoP error="invalid_token"') from exc
        claims = decoded.claims
        if decoded.header.get("typ") != "at+jwt":
            raise Refused(401, "invalid_token: typ", 'DPoP error="invalid_token"')
        if claims.get("iss") != self.issuer or claims.get("aud") != self.audience:
            raise Refused(401, "invalid_token: iss/aud", 'DPoP error="invalid_token"')
        if int(claims.get("exp", 0)) < time.time():
            raise Refused(401, "invalid_token: expired", 'DPoP error="invalid_token"')
        if self.scope not in str(claims.get("scope", "")).split():
            raise Refused(403, "insufficient_scope", 'DPoP error="insufficient_scope"')
        jkt = (claims.get("cnf") or {}).get("jkt")
        if not jkt:
            raise Refused(401, "invalid_token: not DPoP-bound", 'DPoP error="invalid_token"')
        self._check_proof(request, token, jkt)

    def _check_proof(self, request: Request, token: str, jkt: str) -> None:
        proof = request.headers.get("DPoP", "")
        bad = 'DPoP error="invalid_dpop_proof"'
        try:
            header = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
            key = ECKey.import_key(header["jwk"])
            if "d" in header["jwk"] or header.get("typ") != "dpop+jwt":
                raise ValueError("typ or a private key")
            decoded = jwt.decode(proof, key, algorithms=["ES256"])
        except Exception as exc:
            raise Refused(401, f"invalid_dpop_proof: {exc}", bad) from exc
        claims = decoded.claims
        url = f"{self.base}{request.path}"
        if claims.get("htm") != request.method or claims.get("htu") != url:
            raise Refused(401, "invalid_dpop_proof: htm/htu", bad)
        if abs(time.time() - int(claims.get("iat", 0))) > PROOF_MAX_AGE:
            raise Refused(401, "invalid_dpop_proof: iat", bad)
        if claims.get("ath") != _b64(hashlib.sha256(token.encode()).digest()):
            raise Refused(401, "invalid_dpop_proof: ath", bad)
        if key.thumbprint() != jkt:
            raise Refused(401, "invalid_dpop_proof: key is not the token's", bad)
        jti = claims.get("jti")
        if not jti or jti in self.jtis:
            raise Refused(401, "invalid_dpop_proof: jti replayed", bad)
        if claims.get("nonce") != self.nonce:
            raise Refused(401, "use_dpop_nonce", 'DPoP error="use_dpop_nonce"')
        self.jtis.add(jti)

    # -- the API ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_standin/"):
            return self.control(request)
        openapi_request = WerkzeugOpenAPIRequest(request)
        with self.lock:
            try:
                self.openapi.validate_request(openapi_request)
            except Exception as exc:
                self.state["violations"].append(f"request {request.method} {request.path}: {exc}")
                response = self.error(400, f"request does not fit the API: {exc}")
            else:
                try:
                    self.authenticate(request)
                    self._maybe_die(request)
                    adapter = self.routes.bind_to_environ(request.environ)
                    endpoint, arguments = adapter.match()
                    response = getattr(self, str(endpoint))(request, **arguments)
                except Refused as refused:
                    response = self.error(refused.status, refused.error)
                    if refused.challenge:
                        response.headers["WWW-Authenticate"] = refused.challenge
            response.headers["DPoP-Nonce"] = self.nonce
            try:
                self.openapi.validate_response(openapi_request, WerkzeugOpenAPIResponse(response))
            except Exception as exc:
                if response.status_code != 401:  # 401 is not in the document: auth's own
                    self.state["violations"].append(
                        f"response {request.method} {request.path} {response.status_code}: {exc}"
                    )
            self.state["requests"].append(f"{request.method} {request.path} {response.status_code}")
            self.save()
        return response

    def _maybe_die(self, request: Request) -> None:
        """End the process, as a crash would, at the request ``die_on`` names (counting only
        requests that were let in), before doing anything of it."""
        if self.die_on is None:
            return
        method, pattern, occurrence = self.die_on
        if request.method == method and re.fullmatch(pattern, request.path):
            self.matching += 1
            if self.matching == occurrence:
                os._exit(3)

    @staticmethod
    def error(status: int, text: str) -> Response:
        body = {"error": text, "errorCode": 0, "requestId": str(uuid.uuid4())}
        return Response(json.dumps(body), status=status, content_type="application/json")

    @staticmethod
    def json(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json")

    def GetMessages(self, request: Request) -> Response:
        receivers = {int(value) for value in request.args.getlist("ReceiverHerIds")}
        limit = int(request.args.get("MessagesToFetch", "10"))
        metadata = request.args.get("IncludeMetadata", "false") == "true"
        unread = [
            (key, message)
            for key, message in self.state["inbox"].items()
            if not message["read"] and message["receiverHerId"] in receivers
        ][:limit]
        answer = []
        for key, message in unread:
            item: dict[str, Any] = {
                "id": key,
                "contentType": "application/xml",
                "receiverHerId": message["receiverHerId"],
            }
            if metadata:
                item.update(
                    senderHerId=message["senderHerId"],
                    businessDocumentId=message["businessDocumentId"],
                    businessDocumentGenDate=message["genDate"],
                    isAppRec=message.get("isAppRec", False),
                )
            answer.append(item)
        return self.json(answer)

    def _inbox(self, message_id: str) -> dict[str, Any]:
        if message_id not in self.state["inbox"]:
            raise Refused(404, "Could not find database document")
        return dict(self.state["inbox"][message_id])

    def GetMessage(self, request: Request, id: str) -> Response:
        message = self._inbox(id)
        return self.json(
            {
                "id": id,
                "contentType": "application/xml",
                "receiverHerId": message["receiverHerId"],
                "senderHerId": message["senderHerId"],
                "businessDocumentId": message["businessDocumentId"],
                "businessDocumentGenDate": message["genDate"],
                "isAppRec": message.get("isAppRec", False),
            }
        )

    def GetBusinessDocument(self, request: Request, id: str) -> Response:
        if id in self.state["sent"]:
            document = self.state["sent"][id]["document"]
        else:
            document = self._inbox(id)["document"]
        return self.json(
            {
                "businessDocument": document,
                "contentType": "application/xml",
                "contentTransferEncoding": "base64",
            }
        )

    def PostAppRec(self, request: Request, id: str, her_id: str) -> Response:
        self._inbox(id)
        body = request.get_json()
        if body["appRecStatus"] == "Rejected" and not body.get("appRecErrorList"):
            return self.error(400, "AppRecErrorList must be populated if AppRecResult is Avvist")
        receipt_id = str(uuid.uuid4())
        self.state["inbox"][id].setdefault("apprecs", []).append(
            {"id": receipt_id, "sender": int(her_id), **body}
        )
        return self.json(receipt_id, 201)

    def MarkMessageAsRead(self, request: Request, id: str, her_id: str) -> Response:
        message = self._inbox(id)
        if message["receiverHerId"] != int(her_id):
            return self.error(403, f"Not authorized for HerId(s): {her_id}")
        self.state["inbox"][id]["read"] = True
        self.state["inbox"][id]["read_count"] = message.get("read_count", 0) + 1
        return Response(status=204)

    def PostMessage(self, request: Request) -> Response:
        body = request.get_json()
        document = base64.b64decode(body["businessDocument"])
        try:
            root = etree.fromstring(document)
        except etree.XMLSyntaxError as exc:
            return self.error(400, f"not XML: {exc}")
        ns = {"mh": NS_MSGHEAD}
        receiver = root.findtext("mh:MsgInfo/mh:Receiver/mh:Organisation/mh:Ident/mh:Id", "", ns)
        message_id = str(uuid.uuid4())
        self.state["sent"][message_id] = {
            "document": body["businessDocument"],
            "msgId": root.findtext("mh:MsgInfo/mh:MsgId", "", ns),
            "type": root.find("mh:MsgInfo/mh:Type", ns).get("V"),  # type: ignore[union-attr]
            "receiverHerId": int(receiver),
            "apprec": None,
        }
        return self.json(message_id, 201)

    def _sent(self, message_id: str) -> dict[str, Any]:
        if message_id not in self.state["sent"]:
            raise Refused(404, "Could not find database document")
        return dict(self.state["sent"][message_id])

    def GetStatus(self, request: Request, id: str) -> Response:
        sent = self._sent(id)
        status: dict[str, Any] = {
            "receiverHerId": sent["receiverHerId"],
            "transportDeliveryState": "Acknowledged",
        }
        if sent["apprec"]:
            status["appRecStatus"] = sent["apprec"]["appRecStatus"]
        return self.json([status])

    def GetApprecInfo(self, request: Request, id: str) -> Response:
        sent = self._sent(id)
        info: dict[str, Any] = {"receiverHerId": sent["receiverHerId"]}
        # No receipt yet: appRecStatus is left out. The document says "null if not received",
        # but its schema (nullable beside allOf of an enum) does not admit null.
        if sent["apprec"]:
            info["appRecStatus"] = sent["apprec"]["appRecStatus"]
            info["appRecErrorList"] = sent["apprec"]["appRecErrorList"]
        return self.json([info])

    # -- test controls ---------------------------------------------------------------------

    def control(self, request: Request) -> Response:
        with self.lock:
            if request.path == "/_standin/state":
                return self.json(self.state)
            body = request.get_json()
            if request.path == "/_standin/inbox":
                message_id = str(uuid.uuid4())
                self.state["inbox"][message_id] = {
                    "receiverHerId": int(body["receiverHerId"]),
                    "senderHerId": int(body["senderHerId"]),
                    "businessDocumentId": body["businessDocumentId"],
                    "genDate": body.get("genDate", "2026-12-11T09:00:00+00:00"),
                    "document": body["document"],
                    "isAppRec": body.get("isAppRec", False),
                    "read": False,
                }
                self.save()
                return self.json(message_id, 201)
            if request.path == "/_standin/receipt":
                self.state["sent"][body["id"]]["apprec"] = {
                    "appRecStatus": body["appRecStatus"],
                    "appRecErrorList": body.get("appRecErrorList"),
                }
                self.save()
                return self.json("ok")
        return self.error(404, "no such control")

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.handle(Request(environ))(environ, start_response)


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    stand_in = StandIn(config)
    server = make_server("127.0.0.1", stand_in.port, stand_in, threaded=True)
    print(f"listening {stand_in.base}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
