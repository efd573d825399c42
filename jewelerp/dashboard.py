"""Home dashboard cards that enabled modules contribute."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.registry import call, get_registry


@dataclass(frozen=True)
class CardValue:
    """What a dashboard card shows: a figure, a caption and an optional link."""

    value: str
    caption: str = ""
    link: str = ""


def dashboard_cards(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Cards of the modules enabled in the actor's store that the actor may see."""
    cards = []
    for module in get_registry().modules:
        if module.name not in actor.enabled_modules:
            continue
        for card in module.dashboard_cards:
            if card.permission and not actor.can(card.permission):
                continue
            shown: CardValue = call(card.value)(session, actor)
            cards.append(
                {"id": card.id, "title": card.title, "value": shown.value, "caption": shown.caption, "link": shown.link}
            )
    return cards
