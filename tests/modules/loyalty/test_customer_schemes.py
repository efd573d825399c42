"""A customer's own gold schemes as plain data: paid, worth, next instalment and the schedule."""

from __future__ import annotations

from decimal import Decimal

from jewelerp.db import read_session, unit_of_work
from modules.loyalty import schemes
from modules.loyalty.api import customer_schemes
from modules.loyalty.schemes import EnrolInput, TemplateInput
from tests.modules.repairs.intake import customer


def test_a_customers_schemes_show_the_next_instalment_and_only_theirs(world):
    manager = world.actor("manager")
    asha, ravi = customer(manager, "Asha Rao"), customer(manager, "Ravi Menon")
    with unit_of_work(manager) as session:
        template = schemes.save_template(session, manager, TemplateInput(name="Swarna", instalment="5000", months="6"))
        for who in (asha, ravi):
            data = EnrolInput(
                str(template.id), str(who), "Nominee", "Son", id_kind="aadhaar", id_number="2345 6789 0123"
            )
            schemes.enrol(session, manager, data)
    with unit_of_work(manager) as session:
        (mine,) = customer_schemes(session, manager, (asha,))
        mine_id = mine.id
        schemes.pay_instalment(session, manager, mine_id, "cash", "")
    with read_session() as session:
        (mine,) = customer_schemes(session, manager, (asha,))
        assert customer_schemes(session, world.actor("manager", world.dl), (asha,)) == []
    assert (mine.paid, len(mine.instalments), mine.instalments[0].status) == (Decimal("5000.00"), 6, "paid")
    assert mine.next_due_on == mine.instalments[1].due_on and mine.next_amount == Decimal("5000.00")
