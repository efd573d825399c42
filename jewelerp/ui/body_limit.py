"""A cap on the size of upload requests, enforced before Reflex reads them.

Reflex's ``/_upload`` route spools the whole multipart body to temporary files before the
event handler (which checks the session) runs, so without a cap anyone could fill the disk
without signing in. :class:`UploadBodyLimit` refuses a request to that route whose
``Content-Length`` is over the cap with ``413`` at once, and cuts off a body that grows past
it while streaming (chunked requests name no length).
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATH_SUFFIX = "/_upload"
MAX_UPLOAD_BYTES_ENV = "JEWELERP_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 128  # the largest pick is 12 photos of at most 10 MB each


def max_upload_bytes() -> int:
    """The cap on one upload request, from ``JEWELERP_MAX_UPLOAD_MB`` (default 128 MB)."""
    raw = os.environ.get(MAX_UPLOAD_BYTES_ENV, "").strip()
    megabytes = int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_UPLOAD_MB
    return megabytes * 1024 * 1024


def _too_large_response() -> list[Message]:
    body = b"The upload is too large."
    return [
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        },
        {"type": "http.response.body", "body": body},
    ]


class UploadBodyLimit:
    """ASGI middleware: upload requests larger than :func:`max_upload_bytes` get ``413``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].rstrip("/").endswith(UPLOAD_PATH_SUFFIX):
            await self.app(scope, receive, send)
            return
        limit = max_upload_bytes()
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            for message in _too_large_response():
                await send(message)
            return
        received, started, refused = 0, False, False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not refused:
                    refused = True
                    if not started:
                        for reply in _too_large_response():
                            await send(reply)
                    return {"type": "http.disconnect"}  # the route stops reading as if the client left
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer; whatever the route says after the cut-off is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
