"""Signing in through a provider as someone other than staff: the ``core.identity_proofs`` extension point.

The platform runs the provider round trip (:mod:`jewelerp.auth.oidc`: the flow row, the state and browser
checks, the code exchange, the ID token's verification) for every purpose. For a purpose a module contributes,
e.g. the customer portal's ``"portal"``, it then hands who signed in (:class:`ProvenIdentity`) to the module's
:attr:`IdentityProof.finish`, which decides what that account may do and returns where the browser goes and the
module's own cookie (:class:`ProofDone`). Refusals are ``SignInRefused`` with the module's purpose; the browser
is sent to :attr:`IdentityProof.refused_page` with ``?error=<code>&provider=<name>``.

A module starts such a flow from its own route with :func:`jewelerp.auth.oidc_routes.send_to_provider`, passing
``context`` (text the module reads back in ``finish``, e.g. the store the customer signs in to). The redirect URI
registered at the provider stays the platform's one callback, ``/api/auth/<provider>/callback``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from jewelerp.registry import get_registry

if TYPE_CHECKING:
    from jewelerp.auth.oidc import Identity

PROOFS = "core.identity_proofs"
STAFF_PURPOSES = frozenset({"sign_in", "link", "invite"})


@dataclass(frozen=True)
class ProvenIdentity:
    """Who the provider says signed in, verified, with the flow's ``context`` and the browser's address."""

    provider: str
    identity: Identity
    context: str
    client_ip: str
    user_agent: str


@dataclass(frozen=True)
class ProofDone:
    """Where the browser goes after a module's flow (a path on the frontend), and the cookie to set on the way
    (``cookie_name`` "" for none); the cookie gets the platform's flags (HttpOnly, SameSite=Lax, Secure on https)."""

    next_path: str
    cookie_name: str = ""
    cookie_value: str = field(default="", repr=False)
    cookie_max_age: int = 0


class IdentityProof(Protocol):
    """The ``core.identity_proofs`` extension point: a module's purpose for signing in through a provider.

    ``purpose`` is at most 10 characters and not one of the staff purposes. :meth:`finish` runs in a worker
    thread once the provider's answer is verified; it raises ``SignInRefused(code, reason, purpose)`` to refuse,
    and ``refused_page`` turns the code into a sentence.
    """

    purpose: str
    refused_page: str

    def finish(self, proven: ProvenIdentity) -> ProofDone:
        """Sign in (or link) the account the provider proved; where the browser goes next."""
        ...


def identity_proof(purpose: str) -> IdentityProof | None:
    """The contributed proof of ``purpose`` among the installed modules, or None (a staff purpose, or unknown)."""
    if purpose in STAFF_PURPOSES:
        return None
    for proof in get_registry().contributions(PROOFS, None):
        if proof.purpose == purpose:
            return proof
    return None
