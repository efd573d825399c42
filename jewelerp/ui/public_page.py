"""What every public page (no login, reached by a QR code) shares: the token shape, the security and cache
headers, the escaping, the look and the "Not found" answer.

The pages are server-rendered HTML with inline CSS and no JavaScript, so they load at once on any phone.
Modules serve them from their ``core.api_routes`` contribution (the certificate page, a repair's status).
"""

from __future__ import annotations

import html
import re

from starlette.responses import HTMLResponse, Response

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PAGE_CACHE = "no-cache"  # revalidate every time: a revoked link must stop working at once
ASSET_CACHE = "public, max-age=300"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}
STYLE = """
:root{--ink:#1f1b16;--muted:#6b6359;--line:#e7e0d6;--card:#fff;--bg:#f7f4ef;--gold:#9a7b2f;--gold-soft:#f3ead6;
color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--ink:#f1ece4;--muted:#b3a99b;--line:#3a342c;--card:#211d18;
--bg:#16130f;--gold:#d9b869;--gold-soft:#2e2719}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);
background:var(--bg);-webkit-text-size-adjust:100%}
header{background:var(--card);border-bottom:1px solid var(--line);padding:.9rem 1.1rem;text-align:center}
header .store{font-size:1.05rem;font-weight:650;letter-spacing:.08em;text-transform:uppercase;color:var(--gold)}
header .sub{font-size:.8rem;color:var(--muted)}
main{max-width:40rem;margin:0 auto;padding:1rem .9rem 2rem}
.photos{display:flex;gap:.6rem;overflow-x:auto;scroll-snap-type:x mandatory;margin:0 -.9rem 1rem;padding:0 .9rem}
.photos img{flex:0 0 100%;width:100%;aspect-ratio:1/1;object-fit:cover;border-radius:1rem;background:var(--card);
scroll-snap-align:center;border:1px solid var(--line)}
h1{font-size:1.5rem;line-height:1.25;margin:.2rem 0 .2rem}
h2{font-size:1.05rem;margin:0 0 .6rem;letter-spacing:.02em}
.sku{color:var(--muted);font-size:.9rem;margin:0 0 1rem}
.badge{display:inline-block;background:var(--gold-soft);color:var(--gold);border-radius:999px;padding:.1rem .6rem;
font-size:.78rem;font-weight:600;margin:0 .3rem .3rem 0}
section{background:var(--card);border:1px solid var(--line);border-radius:1rem;padding:1rem 1.1rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:minmax(7rem,40%) 1fr;gap:.35rem .8rem;margin:0}
dt{color:var(--muted);font-size:.9rem}dd{margin:0;font-weight:500;overflow-wrap:anywhere}
.cert{border-top:1px solid var(--line);padding-top:.9rem;margin-top:.9rem}
.cert:first-of-type{border-top:0;padding-top:0;margin-top:0}
.cert h3{font-size:1rem;margin:0 0 .5rem}
.verify{font-size:.88rem;color:var(--muted);margin:.6rem 0 0;overflow-wrap:anywhere}
a{color:var(--gold)}
.button{display:inline-block;margin-top:.7rem;padding:.5rem .9rem;border:1px solid var(--gold);border-radius:.6rem;
text-decoration:none;font-weight:600;font-size:.9rem}
.stones{width:100%;border-collapse:collapse;font-size:.9rem}
.stones th{text-align:left;color:var(--muted);font-weight:500;padding:.2rem .4rem .3rem 0}
.stones td{padding:.3rem .4rem .3rem 0;border-top:1px solid var(--line)}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1.1rem;border-left:2px solid var(--gold-soft)}
ol.timeline li{position:relative;padding:0 0 1rem .4rem}
ol.timeline li:last-child{padding-bottom:0}
ol.timeline li::before{content:"";position:absolute;left:-1.55rem;top:.35rem;width:.75rem;height:.75rem;
border-radius:50%;background:var(--gold);border:2px solid var(--card)}
.when{font-size:.8rem;color:var(--muted)}
.what{font-weight:600}
.detail{font-size:.9rem;overflow-wrap:anywhere}
.corrected .what,.corrected .detail{text-decoration:line-through;color:var(--muted)}
.flag{font-size:.78rem;color:var(--muted);font-style:italic}
footer{text-align:center;color:var(--muted);font-size:.8rem;padding:0 1rem 2rem}
"""


def escape(value: object) -> str:
    """HTML-escape anything shown on a public page."""
    return html.escape(str(value), quote=True)


def public_headers(cache: str) -> dict[str, str]:
    """The security headers of every public answer, with its ``Cache-Control``."""
    return {"Cache-Control": cache, **SECURITY_HEADERS}


def not_found_page(message: str) -> Response:
    """The plain 404 page for an unknown or revoked link (never cached); ``message`` says what to do."""
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>Not found</title><style>{STYLE}</style></head>'
        f"<body><main><h1>Not found</h1><p>{escape(message)}</p></main></body></html>"
    )
    return HTMLResponse(document, status_code=404, headers=public_headers("no-store"))
