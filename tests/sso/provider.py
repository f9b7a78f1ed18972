"""A real OpenID Connect provider for the tests, on 127.0.0.1 in a thread.

The OAuth 2 / OpenID Connect logic is authlib's server side, not ours: an
``authlib.oauth2.rfc6749.AuthorizationServer`` (the framework-agnostic base, wired to
``http.server`` here the way authlib's Flask and Django integrations wire it to their frameworks)
with ``AuthorizationCodeGrant``, ``authlib.oidc.core.OpenIDCode`` (signed ID tokens, nonce
required) and ``authlib.oauth2.rfc7636.CodeChallenge`` (PKCE; this provider insists on S256).
authlib checks the authorization request, authenticates the client at the token endpoint
(``client_secret_basic``), checks the code, its client and redirect URI and the PKCE verifier, and
issues the token response with an RS256 ID token signed by a key generated at start (joserfc).
Clients and codes live in memory (``ClientMixin`` / ``AuthorizationCodeMixin``).

The provider serves the discovery document, the JWKS, ``/authorize`` (auto-approves whoever the
test puts in ``provider.user``) and ``/token``. Two extra discovery paths help the discovery test:
``/html/...`` answers HTML and ``/other/...`` names the main issuer.

Negative cases: a test bends single claims (``claim_overrides``, a value of None removes the
claim) or asks for a foreign signature (``sign_with_foreign_key``). authlib still issues the
token response; the ID token it signed is then decoded, bent and re-signed with joserfc (with the
foreign key when asked), because authlib rightly offers no way to issue a broken token."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

KID = "test-key"
ID_TOKEN_SECONDS = 300


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the client must name its redirect URI

    def get_allowed_scope(self, scope: str | None) -> str | None:
        return scope if scope and "openid" in scope.split() else None  # OpenID Connect only

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return urlsplit(redirect_uri).scheme in ("http", "https")

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and secrets.compare_digest(
            self.client_secret, client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic" if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class User:
    claims: dict[str, Any]


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: User
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Payload(OAuth2Payload):
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):
    """An http.server request as authlib sees it (like authlib's FlaskOAuth2Request)."""

    def __init__(self, method: str, uri: str, headers: Message, body: str) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self._args = dict(parse_qsl(urlsplit(uri).query))
        self._form = dict(parse_qsl(body))
        self.payload = Payload(parse_qsl(urlsplit(uri).query) + parse_qsl(body))

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class S256Required(CodeChallenge):
    """authlib's PKCE, made mandatory for confidential clients too, and S256 only."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class Server(AuthorizationServer):
    """authlib's authorization server bound to the in-memory Provider and to http.server."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.provider = provider
        self.codes: dict[str, AuthorizationCode] = {}
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **_: secrets.token_urlsafe(32), expires_generator=ID_TOKEN_SECONDS
            ),
        )
        self.register_grant(CodeGrant, [S256Required(required=True), IDTokens(provider)])

    def query_client(self, client_id: str) -> Client | None:
        secret = self.provider.clients.get(client_id)
        return Client(client_id, secret) if secret is not None else None

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        pass  # access tokens are not used by the product (no userinfo call)

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        self.server.codes[code] = AuthorizationCode(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data["redirect_uri"],
            scope=request.scope,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            user=request.user,
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        found = self.server.codes.get(code)
        if found is None or found.client_id != client.get_client_id():
            return None
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User:
        return authorization_code.user


class IDTokens(OpenIDCode):
    """authlib's OpenID Connect extension; bending for negative tests happens after signing."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Request) -> bool:
        client_id = request.payload.client_id
        codes = self.provider.server.codes.values()
        return any(c.nonce == nonce and c.client_id == client_id for c in codes)

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KID}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {
            "iss": self.provider.issuer,
            "aud": client.get_client_id(),
            "exp": int(time.time()) + ID_TOKEN_SECONDS,
        }

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        return dict(user.claims)

    def encode_id_token(self, token: dict[str, Any], request: Request) -> str:
        id_token: str = super().encode_id_token(token, request)
        provider = self.provider
        if not provider.claim_overrides and not provider.sign_with_foreign_key:
            return id_token
        claims = dict(jwt.decode(id_token, provider.key).claims)
        claims.update(provider.claim_overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = provider.foreign_key if provider.sign_with_foreign_key else provider.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.clients: dict[str, str] = {}
        self.user: dict[str, Any] = {}
        self.claim_overrides: dict[str, Any] = {}
        self.sign_with_foreign_key = False
        self.token_requests = 0
        self.server = Server(self)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": self.server.scopes_supported,
            "grant_types_supported": ["authorization_code"],
        }

    def authorize(self, request: Request) -> tuple[int, Any, list[tuple[str, str]]]:
        """The user is already signed in here and consents to everything: ``provider.user``."""
        user = User(dict(self.user))
        try:
            grant = self.server.get_consent_grant(request, end_user=user)
        except OAuth2Error as error:
            answer: tuple[int, Any, list[tuple[str, str]]] = self.server.handle_error_response(
                request, error
            )
            return answer
        response: tuple[int, Any, list[tuple[str, str]]]
        response = self.server.create_authorization_response(request, grant_user=user, grant=grant)
        return response

    def token(self, request: Request) -> tuple[int, Any, list[tuple[str, str]]]:
        self.token_requests += 1
        response: tuple[int, Any, list[tuple[str, str]]]
        response = self.server.create_token_response(request)
        return response

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self, status: int, body: Any, headers: list[tuple[str, str]] | None = None
            ) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                if body == "":
                    data = b""
                self.send_response(status)
                names = {name.lower() for name, _ in headers or []}
                if "content-type" not in names:
                    self.send_header("content-type", "application/json")
                for name, value in headers or []:
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _request(self, body: str = "") -> Request:
                return Request(self.command, provider.issuer + self.path, self.headers, body)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif path == "/html/.well-known/openid-configuration":
                    self._send(200, b"<html>not here</html>")
                elif path == "/other/.well-known/openid-configuration":
                    self._send(200, provider.discovery())  # names the main issuer
                elif path == "/jwks":
                    self._send(200, KeySet([provider.key]).as_dict(private=False))
                elif path == "/authorize":
                    self._send(*provider.authorize(self._request()))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:
                if urlsplit(self.path).path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                length = int(self.headers.get("content-length", "0"))
                self._send(*provider.token(self._request(self.rfile.read(length).decode())))

        return Handler
