"""Segments: how many New, Regular and VIP customers the store has, each opening its list."""

from __future__ import annotations

import reflex as rx
from sqlalchemy import func, select
from sqlmodel import Session

from jewelerp.auth.actor import Actor
from jewelerp.core.settings import get_setting
from jewelerp.money import format_inr
from jewelerp.ui.shell import shell
from jewelerp.ui.state import AppState
from modules.clienteling.models import Customer
from modules.clienteling.segments import SEGMENTS


def segment_counts(session: Session, actor: Actor) -> list[dict[str, str]]:
    """Each segment with its count in the store and the rule that defines it."""
    actor.require("clienteling.customer.view")
    counts = dict(
        session.execute(
            select(Customer.segment, func.count())
            .where(Customer.store_id == actor.store_id, Customer.merged_into_id.is_(None))
            .group_by(Customer.segment)
        ).all()
    )
    regular = get_setting(session, actor.store_id, "clienteling.regular_min_purchases")
    vip = get_setting(session, actor.store_id, "clienteling.vip_min_spend")
    rules = {
        "new": f"fewer than {regular} purchases in 12 months",
        "regular": f"{regular} or more purchases in 12 months",
        "vip": f"{format_inr(vip)} or more spent in 12 months",
    }
    return [
        {
            "key": key,
            "label": label,
            "count": f"{counts.get(key, 0):,}",
            "rule": rules[key],
            "link": f"/clienteling/customers?segment={key}",
        }
        for key, label in SEGMENTS
    ]


class SegmentsState(AppState):
    """Segment counts of the current store."""

    segments: list[dict[str, str]] = []

    @rx.event
    def load(self) -> None:
        """Count the store's customers per segment."""
        self.segments = self._run(segment_counts, write=False) or []


def _card(segment: dict) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(segment["label"], size="3", weight="bold"),
                rx.heading(segment["count"], size="8"),
                rx.text(segment["rule"], size="2", color_scheme="gray"),
                spacing="1",
            ),
            width="100%",
        ),
        href=segment["link"],
        underline="none",
    )


def segments_page() -> rx.Component:
    """The segments page."""
    return shell(
        rx.vstack(
            rx.grid(
                rx.foreach(SegmentsState.segments, _card),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="4",
                width="100%",
            ),
            rx.text("Thresholds are store settings; purchases come from billing.", size="2", color_scheme="gray"),
            spacing="4",
            width="100%",
        ),
        "Segments",
    )
