"""A small OpenID Connect provider for tests, built from authlib's server parts, and a browser that signs in
through our routes with it.

The provider serves discovery, JWKS, authorization code with PKCE (S256), RS256 ID tokens and userinfo, from a
Starlette app run by uvicorn in a daemon thread on a random loopback port. A test registers our client and its
redirect URI (:meth:`TestProvider.register_client`), adds the accounts that may sign in (:meth:`add_user`), and
tampers with what comes next: ``forge`` (the next ID token's claims, the key that signs it, or the whole token),
``broken`` (a path answering 500 or HTML), ``metadata`` (extra discovery fields) and ``answer_iss`` (an ``iss``
parameter in the answer, RFC 9207).

:class:`Browser` drives a sign-in as a person would: our ``start`` route, the provider's consent page, the
provider's redirect to our ``callback`` route, with the cookies a browser would keep.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from jewelerp.auth.oidc_routes import callback_url, routes

SCOPES = frozenset({"openid", "email", "profile", "public_profile"})  # the last is Facebook's
CLIENT_ID = "jewelerp-test"
CLIENT_SECRET = "test-client-secret-42"
FRONTEND = "http://testserver:3000"  # where our routes send the browser when reached as http://testserver


@dataclass
class Client:
    """A registered client (authlib's ``ClientMixin``, duck-typed)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, uri: str) -> bool:
        return uri in self.redirect_uris

    def check_client_secret(self, secret: str) -> bool:
        return secrets.compare_digest(secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An authorization code waiting to be exchanged (authlib's ``AuthorizationCodeMixin`` plus the OIDC getters)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
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


class _Payload(OAuth2Payload):
    def __init__(self, data: dict[str, str]):
        self._data = data

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self._data.items()}


class _Request(OAuth2Request):
    """authlib's framework-neutral request, from an already-read Starlette request (headers stay case-blind)."""

    def __init__(self, request: Request, form: dict[str, str]):
        super().__init__(request.method, str(request.url), headers=request.headers)
        self._args, self._form = dict(request.query_params), form
        self.payload = _Payload({**self._args, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _Server(AuthorizationServer):
    def __init__(self, provider: TestProvider):
        super().__init__(scopes_supported=sorted(SCOPES))
        self.provider = provider
        self.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(32)))

    def query_client(self, client_id: str) -> Client | None:
        return self.provider.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.provider.tokens[token["access_token"]] = request.user

    def create_oauth2_request(self, request: _Request) -> _Request:
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Flask and Django send blinker signals here; nobody listens in tests."""

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if isinstance(body, dict):
            return JSONResponse(self.provider.forged_answer(body), status_code=status, headers=dict(headers))
        return Response(body, status_code=status, headers=dict(headers))


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        given = request.payload.data
        self.server.provider.codes[code] = Code(
            code,
            request.client.client_id,
            given.get("redirect_uri", ""),
            request.scope,
            request.user,
            given.get("nonce"),
            given.get("code_challenge"),
            given.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        row = self.server.provider.codes.get(code)
        return row if row and row.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return authorization_code.user


class _IdToken(OpenIDCode):
    def __init__(self, provider: TestProvider):
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.forge.pop("key", None) or self.provider.key

    def get_encode_header(self, client: Client) -> dict[str, str]:
        key = self.provider.forge.get("key") or self.provider.key
        return {"alg": "RS256", "kid": key.kid} if key.kid else {"alg": "RS256"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.client_id], "exp": int(time.time()) + 300}

    def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
        info = UserInfo(user)
        info.update(self.provider.forge.pop("claims", {}))  # merged last: overrides iss, aud, exp, nonce ...
        return info


class TestProvider:
    """The provider; :meth:`start` serves it, :meth:`reset` forgets everything a test set up."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        self.port = 0
        self.server = _Server(self)
        self.server.register_grant(_CodeGrant, [CodeChallenge(required=False), _IdToken(self)])
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
            ]
        )
        self.app.add_middleware(_Breakable, provider=self)
        self.reset()

    def reset(self) -> None:
        """Forget clients, users, codes, tokens and every forgery or breakage."""
        self.clients: dict[str, Client] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.forge: dict[str, Any] = {}  # "claims": dict, "key": RSAKey, "id_token": fn(genuine claims) -> str
        self.broken: dict[str, str] = {}  # path -> "500" | "html"
        self.metadata: dict[str, Any] = {}  # merged into the discovery document
        self.answer_iss: str | None = None
        self.profile_requests: list[dict[str, str]] = []

    @property
    def issuer(self) -> str:
        """The provider's issuer, which is also its base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        """Its discovery document."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def register_client(self, redirect_uri: str, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> None:
        """Register a client that may be sent back to ``redirect_uri``."""
        self.clients[client_id] = Client(client_id, secret, [redirect_uri])

    def add_user(self, sub: str, email: str, email_verified: bool = True, name: str = "Test Person") -> str:
        """An account that may sign in (the consent page's button ``sub``); returns ``sub``."""
        self.users[sub] = {"sub": sub, "email": email, "email_verified": email_verified, "name": name}
        return sub

    def forged_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The token endpoint's answer, its ID token replaced when ``forge["id_token"]`` says so."""
        make = self.forge.pop("id_token", None)
        if make is None or "id_token" not in body:
            return body
        payload = body["id_token"].split(".")[1]
        genuine = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return {**body, "id_token": make(genuine)}

    async def discovery(self, _request: Request) -> Response:
        i = self.issuer
        document = {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "jwks_uri": f"{i}/jwks",
            "userinfo_endpoint": f"{i}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted(SCOPES),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
        }
        return JSONResponse({**document, **self.metadata})

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def _request(self, request: Request) -> _Request:
        form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
        return _Request(request, form)

    async def authorize(self, request: Request) -> Response:
        """GET: the consent page (a button per account, and Deny); POST: the answer, a redirect to the client."""
        req = await self._request(request)
        try:
            grant = self.server.get_consent_grant(req)
        except OAuth2Error as exc:
            return JSONResponse(dict(exc.get_body()), status_code=400)
        if request.method == "GET":
            hidden = "".join(
                f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in req.args.items()
            )
            buttons = "".join(
                f'<button name="user" value="{escape(u)}">Sign in as {escape(u)}</button>' for u in self.users
            )
            deny = '<button name="user" value="">Deny</button>'
            return HTMLResponse(f'<form method="post" action="/authorize">{hidden}{buttons}{deny}</form>')
        response = self.server.create_authorization_response(
            req, grant_user=self.users.get(req.form.get("user", "")), grant=grant
        )
        if self.answer_iss is None:
            return response
        location = response.headers["location"]
        return RedirectResponse(f"{location}&{urlencode({'iss': self.answer_iss})}", status_code=302)

    async def token(self, request: Request) -> Response:
        return self.server.create_token_response(await self._request(request))

    async def userinfo(self, request: Request) -> Response:
        """Who owns the bearer token; also answers as Facebook's Graph ``me`` does (``id``)."""
        user = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        self.profile_requests.append(dict(request.query_params))
        return JSONResponse({**user, "id": user["sub"]})

    def start(self) -> TestProvider:
        """Serve the provider on a random loopback port, in a daemon thread."""
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uvicorn.run, daemon=True)
        self._thread.start()
        while not self._uvicorn.started:
            time.sleep(0.01)
        self.port = self._uvicorn.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._uvicorn.should_exit = True
        self._thread.join(5)


class _Breakable:
    """Answers a path listed in ``provider.broken`` with a server error (``"500"``) or a web page (``"html"``)."""

    def __init__(self, app: Any, provider: TestProvider):
        self.app, self.provider = app, provider

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        how = self.provider.broken.get(scope.get("path", "")) if scope["type"] == "http" else None
        if how is None:
            await self.app(scope, receive, send)
            return
        answer = PlainTextResponse("down", status_code=500) if how == "500" else HTMLResponse("<html>Sign in</html>")
        await answer(scope, receive, send)


def configure(
    monkeypatch: pytest.MonkeyPatch, provider: TestProvider, name: str = "google", metadata_url: str | None = None
) -> None:
    """Point preset ``name`` at ``provider`` through the environment, and register our callback there."""
    monkeypatch.setenv(f"JEWELERP_OAUTH_{name.upper()}_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv(f"JEWELERP_OAUTH_{name.upper()}_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv(f"JEWELERP_OAUTH_{name.upper()}_METADATA_URL", metadata_url or provider.metadata_url)
    provider.register_client(callback_url(FRONTEND, name))


class Browser:
    """A browser signing in through our routes: it keeps its cookies, and follows the provider's pages by hand."""

    def __init__(self, provider: TestProvider):
        self.provider = provider
        self.client = TestClient(Starlette(routes=routes()), follow_redirects=False)

    def start(self, name: str = "google", **params: str) -> httpx.Response:
        """Our ``start`` route; a redirect to the provider, or to the sign-in page with a refusal."""
        return self.client.get(f"/api/auth/{name}/start", params=params)

    def consent(self, started: httpx.Response, user: str) -> dict[str, str]:
        """At the provider: open the consent page, sign in as ``user`` ("" denies); the answer's query."""
        url = started.headers["location"]
        assert url.startswith(self.provider.issuer), url
        with httpx.Client() as http:
            page = http.get(url)
            assert page.status_code == 200, page.text
            answer = http.post(
                f"{self.provider.issuer}/authorize", data={**dict(parse_qsl(urlsplit(url).query)), "user": user}
            )
        assert answer.status_code == 302, answer.text
        return dict(parse_qsl(urlsplit(answer.headers["location"]).query))

    def callback(self, query: dict[str, str], name: str = "google") -> httpx.Response:
        """Our ``callback`` route with the provider's answer."""
        return self.client.get(f"/api/auth/{name}/callback", params=query)

    def sign_in(self, user: str, name: str = "google", **params: str) -> httpx.Response:
        """The whole round trip: start, consent as ``user``, callback."""
        return self.callback(self.consent(self.start(name, **params), user), name)
