"""Service cases: numbering, due dates, the overdue rule, assignment and its notices, the thread, status moves,
permissions, scoping to the store, and the functions a customer portal calls."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import func, select

from jewelerp.core.models import AuditLog
from jewelerp.dashboard import DashboardFilters
from jewelerp.db import read_session, unit_of_work
from jewelerp.errors import JewelError, NotFound, PermissionDenied, ValidationError
from jewelerp.notifications.models import Notification
from jewelerp.search import read_query
from jewelerp.ui.table_query import TableQuery
from modules.clienteling.api import add_customer_reply, customer_cases, open_customer_case
from modules.clienteling.cards import cases_card
from modules.clienteling.case_tables import CASE_QUEUE, MY_CASES
from modules.clienteling.case_view import case_details, thread_rows
from modules.clienteling.cases import (
    CaseInput,
    add_note,
    assign_case,
    customer_case_rows,
    is_overdue,
    open_case,
    set_status,
)
from modules.clienteling.models import ServiceCase
from modules.clienteling.searchers import find_cases
from tests.modules.clienteling.helpers import add_customer, run


def _case(actor, customer_id, **typed) -> ServiceCase:
    data = {"kind": "complaint", "channel": "phone", "priority": "normal", "subject": "Clasp broke", **typed}
    return run(actor, lambda s, a: open_case(s, a, customer_id, CaseInput(**data)))


def _notices(user_id: int) -> list[Notification]:
    with read_session() as session:
        return list(session.exec(select(Notification).where(Notification.user_id == user_id)))


def _thread(actor, case_id) -> list[str]:
    with read_session() as session:
        return [row["text"] for row in thread_rows(session, actor, case_id)]


def _list(spec, actor, **filters) -> list[dict[str, str]]:
    with read_session() as session:
        return spec.fetch(session, actor, TableQuery(filters=filters, limit=None))[0]


@pytest.fixture
def customer(world) -> int:
    """A Mumbai customer."""
    return add_customer(world.actor("manager"), name="Meera Iyer", phone="9820030001").id


def test_cases_are_numbered_per_store_and_found_by_number(world, customer):
    manager, delhi = world.actor("manager"), world.actor("manager", world.dl)
    first, second = _case(manager, customer), _case(manager, customer, subject="Resize the ring")
    in_delhi = _case(delhi, customer, subject="Polish the anklet")
    assert (first.number, second.number, in_delhi.number) == ("CS-MUM-000001", "CS-MUM-000002", "CS-DEL-000001")
    with read_session() as session:
        hits = find_cases(session, manager, read_query("cs-mum-000002"))
        assert [(h.title, h.link) for h in hits] == [("CS-MUM-000002", f"/clienteling/cases/{second.id}")]
        assert find_cases(session, manager, read_query("CS-DEL")) == []  # Delhi's cases stay in Delhi


def test_a_number_taken_meanwhile_by_another_counter_is_skipped(world, customer, monkeypatch):
    from modules.clienteling import cases

    manager = world.actor("manager")
    _case(manager, customer)
    counted = iter([1, 2])  # as if another transaction had taken number 1 after this one counted
    monkeypatch.setattr(cases, "_next_seq", lambda session, store_id: next(counted))
    second = _case(manager, customer, subject="Second")
    assert second.number == "CS-MUM-000002"
    assert _thread(manager, second.id) == ["Manager opened the case."]


def test_the_due_date_follows_the_priority_unless_one_is_typed(world, customer):
    sales = world.actor("sales")
    today = sales.today()
    due = {p: _case(sales, customer, priority=p).due_on for p in ("urgent", "high", "normal", "low")}
    assert due == {
        "urgent": today + timedelta(days=1),
        "high": today + timedelta(days=2),
        "normal": today + timedelta(days=5),
        "low": today + timedelta(days=10),
    }
    typed = (today + timedelta(days=30)).isoformat()
    assert _case(sales, customer, priority="urgent", due_on=typed).due_on == today + timedelta(days=30)


def test_bad_input_is_refused_beside_each_field_and_opens_nothing(world, customer):
    manager = world.actor("manager")
    yesterday = (manager.today() - timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as refused:
        _case(manager, customer, kind="praise", channel="pigeon", priority="asap", subject="   ", due_on=yesterday)
    assert refused.value.fields == {
        "kind": "Choose the kind of case.",
        "channel": "Choose the channel the customer used.",
        "priority": "Choose the priority.",
        "subject": "Say in a few words what the case is about.",
        "due_on": "A due date cannot be in the past.",
    }
    with pytest.raises(ValidationError) as refused:
        _case(manager, customer, assignee="9999", due_on="next week")
    assert refused.value.fields == {
        "assignee": "Choose an active member of staff of this store.",
        "due_on": "Give the due date like 2026-12-24, or leave it empty.",
    }
    with pytest.raises(ValidationError) as refused:  # sales works in Mumbai only
        _case(world.actor("manager", world.dl), customer, assignee=str(world.users["sales"]))
    assert set(refused.value.fields) == {"assignee"}
    with read_session() as session:
        assert session.exec(select(ServiceCase)).all() == []


def test_overdue_means_past_its_due_date_and_still_being_worked_on(world, customer):
    case = _case(world.actor("sales"), customer)
    today = case.due_on
    assert not is_overdue(case, today)
    assert is_overdue(case, today + timedelta(days=1))
    case.status = "waiting"
    assert is_overdue(case, today + timedelta(days=1))
    for done in ("resolved", "closed"):
        case.status = done
        assert not is_overdue(case, today + timedelta(days=1))


def test_an_overdue_case_is_flagged_in_the_lists(world, customer):
    manager, sales = world.actor("manager"), world.actor("sales")
    case = _case(manager, customer, assignee=str(world.users["sales"]))
    with unit_of_work() as session:  # opened a week ago, due two days ago
        row = session.get(ServiceCase, case.id)
        row.due_on = sales.today() - timedelta(days=2)
        session.add(row)
    _case(manager, customer, subject="Not yet due", assignee=str(world.users["sales"]))
    mine = _list(MY_CASES, sales)
    assert [(r["subject"], r["overdue"]) for r in mine] == [("Clasp broke", "Overdue"), ("Not yet due", "")]
    assert [r["subject"] for r in _list(MY_CASES, sales, due="overdue")] == ["Clasp broke"]
    assert [r["subject"] for r in _list(CASE_QUEUE, manager, due="overdue")] == ["Clasp broke"]
    with read_session() as session:
        assert [r["status"] for r in customer_case_rows(session, sales, customer)] == ["Open", "Overdue"]


def test_assigning_notifies_the_assignee_and_reassigning_says_who_moved_it(world, customer):
    manager = world.actor("manager")
    sales_id, designer_id = world.users["sales"], world.users["designer"]
    case = _case(manager, customer)  # in the queue: nobody assigned
    assert _notices(sales_id) == []
    run(manager, lambda s, a: assign_case(s, a, case.id, sales_id))
    (notice,) = _notices(sales_id)
    assert notice.title == "Case CS-MUM-000001 assigned to you by Manager"
    assert (notice.body, notice.link) == ("Clasp broke", f"/clienteling/cases/{case.id}")
    run(manager, lambda s, a: assign_case(s, a, case.id, designer_id))
    assert [n.title for n in _notices(designer_id)] == ["Case CS-MUM-000001 assigned to you by Manager"]
    assert _thread(manager, case.id)[-2:] == [
        "Manager assigned the case to Sales.",
        "Manager moved the case from Sales to Designer.",
    ]
    with read_session() as session:  # every change is in the audit log, who and what
        changes = session.exec(
            select(AuditLog.user_name, AuditLog.changes).where(
                AuditLog.record_type == "clienteling_case",
                AuditLog.record_id == str(case.id),
                AuditLog.action == "update",
            )
        ).all()
    assigned = [(who, json.loads(what)["assigned_user_id"]) for who, what in changes if "assigned_user_id" in what]
    assert assigned == [("Manager", [None, sales_id]), ("Manager", [sales_id, designer_id])]
    with pytest.raises(JewelError, match="already with them"):
        run(manager, lambda s, a: assign_case(s, a, case.id, designer_id))
    with pytest.raises(ValidationError):
        run(manager, lambda s, a: assign_case(s, a, case.id, 9999))


def test_only_managers_assign_and_an_assignee_may_hand_a_case_back(world, customer):
    manager, sales = world.actor("manager"), world.actor("sales")
    own = _case(sales, customer, assignee=str(world.users["manager"]))  # sales may not choose: it is theirs
    assert own.assigned_user_id == world.users["sales"]
    with pytest.raises(PermissionDenied):
        run(sales, lambda s, a: assign_case(s, a, own.id, world.users["designer"]))
    before = len(_notices(world.users["manager"]))
    run(sales, lambda s, a: assign_case(s, a, own.id, None))
    assert _thread(manager, own.id)[-1] == "Sales moved the case from Sales to the store's queue."
    assert [n.title for n in _notices(world.users["manager"])[before:]] == ["Case CS-MUM-000001 is back in the queue"]
    other = _case(manager, customer, assignee=str(world.users["manager"]))
    with pytest.raises(PermissionDenied):  # someone else's case cannot be "handed back" by sales
        run(sales, lambda s, a: assign_case(s, a, other.id, None))


def test_status_moves_follow_the_allowed_steps(world, customer):
    sales = world.actor("sales")
    case = _case(sales, customer)
    for step in ("waiting", "open", "resolved"):
        run(sales, lambda s, a, step=step: set_status(s, a, case.id, step))
    with read_session() as session:
        assert session.get(ServiceCase, case.id).resolved_at is not None
    with pytest.raises(JewelError, match="A resolved case can only become open or closed."):
        run(sales, lambda s, a: set_status(s, a, case.id, "waiting"))
    with pytest.raises(JewelError, match="already resolved"):
        run(sales, lambda s, a: set_status(s, a, case.id, "resolved"))
    with pytest.raises(ValidationError):
        run(sales, lambda s, a: set_status(s, a, case.id, "deleted"))
    run(sales, lambda s, a: set_status(s, a, case.id, "closed"))
    with pytest.raises(JewelError, match="is closed; open a new case"):
        run(sales, lambda s, a: set_status(s, a, case.id, "open"))
    with pytest.raises(JewelError, match="is closed"):
        run(sales, lambda s, a: add_note(s, a, case.id, "One more thing"))
    assert _thread(sales, case.id)[-1] == "Sales changed the status from Resolved to Closed."


def test_notes_are_kept_in_order_marked_internal_or_shown(world, customer):
    sales = world.actor("sales")
    case = _case(sales, customer, note="Customer brought the chain in a pouch.")
    run(sales, lambda s, a: add_note(s, a, case.id, "We will replace the clasp free of charge.", internal=False))
    with pytest.raises(ValidationError) as refused:
        run(sales, lambda s, a: add_note(s, a, case.id, "  "))
    assert refused.value.fields == {"note": "Write the note."}
    with read_session() as session:
        rows = thread_rows(session, sales, case.id)
    assert [(r["author"], r["text"], r["seen_by"]) for r in rows] == [
        ("Sales", "Sales opened the case.", "Internal"),
        ("Sales", "Customer brought the chain in a pouch.", "Internal"),
        ("Sales", "We will replace the clasp free of charge.", "Shown to the customer"),
    ]


def test_a_designer_sees_cases_but_cannot_change_them(world, customer):
    designer = world.actor("designer")
    case = _case(world.actor("manager"), customer)
    with read_session() as session:
        assert case_details(session, designer, case.id)["number"] == "CS-MUM-000001"
    for change in (
        lambda s, a: open_case(s, a, customer, CaseInput("request", "phone", "low", "Anything")),
        lambda s, a: add_note(s, a, case.id, "Looked at it"),
        lambda s, a: set_status(s, a, case.id, "resolved"),
        lambda s, a: assign_case(s, a, case.id, world.users["designer"]),
    ):
        with pytest.raises(PermissionDenied):
            run(designer, change)


def test_another_stores_case_is_not_found(world, customer):
    case = _case(world.actor("manager", world.dl), customer)
    manager = world.actor("manager")  # in Mumbai
    for work in (
        lambda s, a: case_details(s, a, case.id),
        lambda s, a: thread_rows(s, a, case.id),
        lambda s, a: add_note(s, a, case.id, "Forged"),
        lambda s, a: set_status(s, a, case.id, "resolved"),
        lambda s, a: assign_case(s, a, case.id, world.users["manager"]),
    ):
        with pytest.raises(NotFound, match="That case does not exist in this store."):
            run(manager, work)
    assert _list(CASE_QUEUE, manager) == [] and _list(MY_CASES, manager) == []
    with read_session() as session:
        assert customer_case_rows(session, manager, customer) == []
        assert len(thread_rows(session, world.actor("manager", world.dl), case.id)) == 1


def test_the_queue_filters_by_status_priority_and_assignee(world, customer):
    manager = world.actor("manager")
    sales_id = world.users["sales"]
    _case(manager, customer, subject="A", priority="urgent", assignee=str(sales_id))
    _case(manager, customer, subject="B", priority="low")
    done = _case(manager, customer, subject="C")
    run(manager, lambda s, a: set_status(s, a, done.id, "resolved"))
    assert sorted(r["subject"] for r in _list(CASE_QUEUE, manager)) == ["A", "B"]
    assert [r["subject"] for r in _list(CASE_QUEUE, manager, status="resolved")] == ["C"]
    assert sorted(r["subject"] for r in _list(CASE_QUEUE, manager, status="any")) == ["A", "B", "C"]
    assert [r["subject"] for r in _list(CASE_QUEUE, manager, priority="urgent")] == ["A"]
    assert [r["subject"] for r in _list(CASE_QUEUE, manager, assignee=str(sales_id))] == ["A"]
    assert [r["subject"] for r in _list(CASE_QUEUE, manager, assignee="none")] == ["B"]
    with pytest.raises(PermissionDenied):
        _list(CASE_QUEUE, world.actor("sales"))


def test_a_portal_case_is_opened_read_and_replied_to_only_for_its_customer(world, customer):
    other = add_customer(world.actor("manager"), name="Rohan Das", phone="9820030002").id
    with unit_of_work() as session:
        opened = open_customer_case(session, customer, "request", "Resize my ring", "It is a size too small.")
    assert (opened.number, opened.status) == ("CS-MUM-000001", "Open")
    manager = world.actor("manager")
    with read_session() as session:
        assert case_details(session, manager, opened.id)["channel"] == "Portal"
    assert [n.title for n in _notices(world.users["manager"])] == ["New case CS-MUM-000001 from Meera Iyer (portal)"]
    run(manager, lambda s, a: add_note(s, a, opened.id, "Internal: karigar busy till Friday."))
    run(manager, lambda s, a: add_note(s, a, opened.id, "Bring it in on Saturday.", internal=False))
    run(manager, lambda s, a: set_status(s, a, opened.id, "waiting"))
    with unit_of_work() as session:
        replied = add_customer_reply(session, customer, opened.id, "Saturday works.")
    assert replied.status == "Open"
    assert [(n.text, n.mine) for n in replied.notes] == [
        ("It is a size too small.", True),
        ("Bring it in on Saturday.", False),
        ("Saturday works.", True),
    ]
    with read_session() as session:
        assert [c.number for c in customer_cases(session, customer)] == ["CS-MUM-000001"]
        assert customer_cases(session, other) == []
    with pytest.raises(NotFound), unit_of_work() as session:
        add_customer_reply(session, other, opened.id, "Not my case")
    with pytest.raises(ValidationError) as refused, unit_of_work() as session:
        open_customer_case(session, customer, "gossip", "", "")
    assert set(refused.value.fields) == {"kind", "subject", "text"}
    assert [c.number for c in run(manager, lambda s, a: customer_cases(s, customer))] == ["CS-MUM-000001"]


def test_a_portal_case_goes_to_the_queue_when_the_customers_salesperson_has_left(world, customer):
    from jewelerp.core.models import User
    from modules.clienteling.models import Customer

    with unit_of_work() as session:
        session.get(Customer, customer).assigned_user_id = world.users["sales"]
    with unit_of_work() as session:
        kept = open_customer_case(session, customer, "request", "Polish my bangles", "Before Diwali, please.")
    with unit_of_work() as session:
        session.get(User, world.users["sales"]).active = False
    with unit_of_work() as session:
        queued = open_customer_case(session, customer, "request", "Resize my ring", "A size smaller.")
    manager = world.actor("manager")
    with read_session() as session:
        assert case_details(session, manager, kept.id)["assignee"] == "Sales"
        assert case_details(session, manager, queued.id)["assignee"] == "Nobody (in the store's queue)"
    assert [n.title for n in _notices(world.users["manager"])] == [f"New case {queued.number} from Meera Iyer (portal)"]


def test_cases_move_with_a_merged_profile(world, customer):
    from modules.clienteling.merge import merge_customers

    manager = world.actor("manager")
    duplicate = add_customer(manager, name="Meera S. Iyer", phone="9820030003").id
    case = _case(manager, duplicate)
    run(manager, lambda s, a: merge_customers(s, a, customer, duplicate))
    with read_session() as session:
        assert [r["number"] for r in customer_case_rows(session, manager, customer)] == [case.number]
        assert [c.number for c in customer_cases(session, duplicate)] == [case.number]  # the kept profile's


def test_demo_cases_are_loaded_once_with_overdue_ones_for_the_salesperson(world, customer):
    from modules.clienteling.case_demo import PER_STORE, load_cases

    manager = world.actor("manager")
    for _ in range(2):
        run(manager, load_cases)
    mine = _list(MY_CASES, world.actor("sales"), status="any")
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(ServiceCase)).one() == PER_STORE
    assert len(mine) >= PER_STORE // 2
    assert any(r["overdue"] == "Overdue" for r in mine)
    assert any(r["assignee"] == "Queue" for r in _list(CASE_QUEUE, manager))


def test_the_dashboard_card_counts_my_open_cases_and_the_overdue_ones(world, customer):
    manager, sales = world.actor("manager"), world.actor("sales")
    late = _case(manager, customer, subject="Late one", assignee=str(world.users["sales"]))
    _case(manager, customer, subject="On time", priority="low", assignee=str(world.users["sales"]))
    done = _case(manager, customer, subject="Done", assignee=str(world.users["sales"]))
    _case(manager, customer, subject="Someone else's")
    run(sales, lambda s, a: set_status(s, a, done.id, "resolved"))
    with unit_of_work() as session:
        session.get(ServiceCase, late.id).due_on = sales.today() - timedelta(days=1)
    today = sales.today()
    with read_session() as session:
        card = cases_card(session, sales, DashboardFilters(today, today, (world.mum,)))
        elsewhere = cases_card(session, sales, DashboardFilters(today, today, (world.dl,)))
    assert (card.value, card.caption, card.link) == ("2", "1 overdue", "/clienteling/cases")
    assert [r.label for r in card.rows] == ["CS-MUM-000001 · Late one", "CS-MUM-000002 · On time"]
    assert (elsewhere.value, elsewhere.caption) == ("0", "nothing overdue")
