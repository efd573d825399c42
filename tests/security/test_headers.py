"""Finding 8 (headers, CORS): only the app's own origins are trusted; every response carries security headers."""

from __future__ import annotations

import pytest
import reflex as rx
import socketio
from reflex.app import App
from starlette.responses import HTMLResponse
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from jewelerp.ui.api import api_app, api_routes
from jewelerp.ui.web_security import STRICT_CSP, SecurityHeaders, built_backend_url, frontend_csp, is_allowed_origin
from modules.repairs.public import routes as repair_routes
from modules.stock.public import routes as certificate_routes

EVIL = "https://evil.example"
OWN = "http://localhost:3000"  # rxconfig's deploy_url (the frontend)


@pytest.fixture
def backend() -> TestClient:
    """The api app as Reflex serves it: our routes and Reflex's own CORS middleware on top."""
    app = api_app(api_routes())
    App._add_cors(app)
    return TestClient(app)


def test_the_backend_does_not_reflect_a_foreign_origin_with_credentials(backend):
    answer = backend.get("/api/health", headers={"Origin": EVIL, "Cookie": "session=1"})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers, "any Origin is reflected with credentials"
    asking = {"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    preflight = backend.options("/api/health", headers=asking)
    assert preflight.status_code == 400 and "access-control-allow-origin" not in preflight.headers


def test_the_app_own_origins_are_allowed_and_configurable(backend, monkeypatch):
    answer = backend.get("/api/health", headers={"Origin": OWN})
    assert answer.headers["access-control-allow-origin"] == OWN
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert is_allowed_origin("http://127.0.0.1:3000"), "a loopback app is the same app by any loopback name"
    assert not is_allowed_origin("http://127.0.0.1:3001")
    monkeypatch.setenv("JEWELERP_ALLOWED_ORIGINS", "https://erp.shop.in, https://erp2.shop.in:8443/")
    assert is_allowed_origin("https://erp2.shop.in:8443") and not is_allowed_origin(OWN)
    configured = backend.get("/api/health", headers={"Origin": "https://erp.shop.in"})
    assert configured.headers["access-control-allow-origin"] == "https://erp.shop.in"


def test_the_websocket_refuses_a_foreign_origin(db):
    from jewelerp.ui.app import build_app

    app = build_app()
    client = TestClient(socketio.ASGIApp(app.sio, socketio_path="_event"))
    url = "/_event/?EIO=4&transport=websocket"
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(url, headers={**upgrade, "Origin": EVIL}) as ws:
        ws.receive_text()  # cross-site websocket hijacking: the page of another site must not get in
    with client.websocket_connect(url, headers={**upgrade, "Origin": OWN}) as ws:
        assert ws.receive_text().startswith("0{"), "the app's own page connects"


def test_every_backend_response_carries_the_security_headers(world, tmp_path):
    routes = [*api_routes(), *certificate_routes(tmp_path), *repair_routes(tmp_path)]
    client = TestClient(api_app(routes))
    for path in ("/api/health", "/api/export/nope", "/c/no-such-token", "/r/no-such-token"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] in ("same-origin", "no-referrer"), path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
    assert client.get("/api/health").headers["content-security-policy"] == STRICT_CSP


def test_the_frontend_gets_a_policy_reflex_can_run_under():
    async def page(scope, receive, send):
        await HTMLResponse("<script>window.__reactRouterContext = {}</script>")(scope, receive, send)

    app = api_app(api_routes())
    app.mount("", page)  # what Reflex does with the app (and, in production, the compiled frontend) beneath
    client = TestClient(app)
    headers = client.get("/login").headers
    policy = headers["content-security-policy"]
    assert policy == frontend_csp() and headers["x-frame-options"] == "DENY"
    backend = rx.config.get_config().api_url.rstrip("/")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert "'unsafe-inline'" in directives["script-src"], "React Router's inline hydration script"
    assert "'unsafe-eval'" in directives["script-src"], "rx.call_script runs through eval"
    assert backend in directives["connect-src"] and backend.replace("http", "ws", 1) in directives["connect-src"]
    assert backend in directives["frame-src"], "downloads open the backend in a hidden frame"
    assert backend in directives["img-src"], "uploaded photos come from the backend"
    static = TestClient(SecurityHeaders(page))  # the static frontend server of AppHarnessProd
    assert static.get("/").headers["content-security-policy"] == policy


def test_the_static_frontend_names_the_backend_its_build_talks_to(tmp_path):
    (tmp_path / "env.json").write_text(
        '{"EVENT": "ws://127.0.0.1:45507/_event", "UPLOAD": "http://127.0.0.1:45507/_upload"}'
    )
    backend = built_backend_url(tmp_path)
    assert backend == "http://127.0.0.1:45507/_upload"
    policy = frontend_csp(backend)
    assert "connect-src 'self' http://127.0.0.1:45507 ws://127.0.0.1:45507" in policy
    assert built_backend_url(tmp_path / "missing") is None
