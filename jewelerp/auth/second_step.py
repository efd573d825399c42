"""The second step of a sign-in: the code from the user's authenticator app (or a recovery code) answers the
challenge the password or provider left (:func:`jewelerp.auth.service.open_session`), and opens the session."""

from __future__ import annotations

from jewelerp.auth import two_factor
from jewelerp.auth.service import LoginResult, open_session
from jewelerp.core.audit import record_refusal
from jewelerp.core.models import LoginAttempt, User
from jewelerp.db import unit_of_work, utcnow

CHALLENGE_DEAD = "This sign-in took too long. Sign in again."
ENTER_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code."
WRONG = "wrong or reused two-factor code"


def answer_challenge(token: str, code: str, client_ip: str) -> LoginResult:
    """A ticket for the session when ``code`` is right for the challenge of ``token`` (within its five minutes,
    once); else the message to show. Wrong codes count towards the lock; refusals are in the audit log."""
    code = code.strip()
    if not code or len(code) > 40:
        return LoginResult(error=ENTER_CODE)
    with unit_of_work() as session:
        challenge = two_factor.live_challenge(session, token)
        user = session.get(User, challenge.user_id) if challenge else None
        if challenge is None or user is None:
            result = LoginResult(error=CHALLENGE_DEAD, reason="unknown, used or expired sign-in challenge")
        elif two_factor.locked(session, user.email):
            result = LoginResult(error=two_factor.LOCKED, reason="too many wrong codes")
        elif (problem := two_factor.check_code(session, user, code)) is not None:
            result = LoginResult(error=problem, reason=WRONG)
        elif not two_factor.spend_challenge(session, challenge.id or 0):
            result = LoginResult(error=CHALLENGE_DEAD, reason="sign-in challenge answered twice")
        else:
            session.add(LoginAttempt(email=user.email, client_ip=client_ip, kind="code", success=True, at=utcnow()))
            return open_session(session, user, challenge.method, client_ip, challenge.user_agent, second_factor=True)
        email = user.email if user else ""
    if result.reason == WRONG:
        two_factor.wrong_code(email, client_ip)
    record_refusal("login", client_ip, {"email": email, "reason": result.reason})
    return result
