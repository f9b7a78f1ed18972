"""A small but real OpenID Connect provider for the tests, on 127.0.0.1 in a thread.

It serves the discovery document, the JWKS, an authorization endpoint (the "signed-in" user is
whoever the test puts in ``provider.user``) and a token endpoint that authenticates the client
(HTTP Basic), checks the redirect URI and the PKCE verifier (S256, authlib's implementation) and
answers an ID token signed with an RS256 key generated at start (joserfc). Tests bend single
claims (``claim_overrides``) or sign with a foreign key (``sign_with_foreign_key``)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.foreign_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.clients: dict[str, str] = {}
        self.user: dict[str, Any] = {}
        self.claim_overrides: dict[str, Any] = {}
        self.sign_with_foreign_key = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

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
            "scopes_supported": ["openid", "email", "profile"],
        }

    def id_token(self, client_id: str, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
        }
        claims.update(self.claim_overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.foreign_key if self.sign_with_foreign_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/html/.well-known/openid-configuration":
                    self._send(200, b"<html>not here</html>")
                elif url.path == "/other/.well-known/openid-configuration":
                    self._send(200, provider.discovery())  # names the main issuer
                elif url.path == "/jwks":
                    self._send(200, KeySet([provider.key]).as_dict(private=False))
                elif url.path == "/authorize":
                    self._authorize(query)
                else:
                    self._send(404, {"error": "not_found"})

            def _authorize(self, query: dict[str, str]) -> None:
                if (
                    query.get("response_type") != "code"
                    or query.get("client_id") not in provider.clients
                    or query.get("code_challenge_method") != "S256"
                    or not query.get("code_challenge")
                    or "openid" not in query.get("scope", "").split()
                ):
                    self._send(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "client_id": query["client_id"],
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query["code_challenge"],
                    "nonce": query.get("nonce", ""),
                }
                target = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("location", target)
                self.end_headers()

            def do_POST(self) -> None:
                if urlsplit(self.path).path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                provider.token_requests += 1
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("authorization", "")
                try:
                    client_id, _, secret = (
                        base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
                    )
                except ValueError:
                    client_id, secret = "", ""
                if provider.clients.get(client_id) != secret or not secret:
                    self._send(401, {"error": "invalid_client"})
                    return
                grant = provider.codes.pop(form.get("code", ""), None)
                if (
                    form.get("grant_type") != "authorization_code"
                    or grant is None
                    or grant["client_id"] != client_id
                    or grant["redirect_uri"] != form.get("redirect_uri")
                ):
                    self._send(400, {"error": "invalid_grant"})
                    return
                if create_s256_code_challenge(form.get("code_verifier", "")) != grant["challenge"]:
                    self._send(400, {"error": "invalid_grant", "error_description": "PKCE"})
                    return
                self._send(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(client_id, grant["nonce"]),
                    },
                )

        return Handler
