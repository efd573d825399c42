"""The photos the store shared on a customer's jobs, as the portal shows them: a shared photo appears under its job
with its stage and date, an unshared one never, and another customer's photo id is not theirs ("not found")."""

from __future__ import annotations

import pytest

from jewelerp.db import unit_of_work
from jewelerp.files import find
from modules.portal import records
from modules.portal.access import NotYours
from modules.repairs.photos import share_photo
from tests.modules.portal.helpers import read_as
from tests.modules.portal.shoppers import shared_at_estimate, shoppers


@pytest.fixture
def pair(world):
    return shoppers(world)


def test_a_shared_photo_appears_under_its_job_and_an_unshared_one_never(world, pair, tmp_path):
    asha, ravi = pair
    assert read_as(asha.account_id, records.job_photos) == {}
    shown_id, private_id = shared_at_estimate(world, asha.job_id, tmp_path)
    shown = read_as(asha.account_id, records.job_photos)
    assert list(shown) == [str(asha.job_id)]
    (photo,) = shown[str(asha.job_id)]
    assert photo["id"] == str(shown_id) and photo["what"] == "Estimated" and photo["taken"]
    assert photo["alt"].startswith("Estimated photo of RP-") and photo["taken"] in photo["alt"]
    stored = read_as(asha.account_id, records.photo_file, str(shown_id))
    assert find(stored.path, tmp_path).read_bytes().startswith(b"\xff\xd8")  # the JPEG the store kept
    with pytest.raises(NotYours):
        read_as(asha.account_id, records.photo_file, str(private_id))
    assert read_as(ravi.account_id, records.job_photos) == {}


def test_a_photo_the_store_stops_sharing_is_gone(world, pair, tmp_path):
    asha, _ravi = pair
    shown_id, _private_id = shared_at_estimate(world, asha.job_id, tmp_path)
    manager = world.actor("manager")
    with unit_of_work(manager) as session:
        share_photo(session, manager, shown_id, False)
    assert read_as(asha.account_id, records.job_photos) == {}
    with pytest.raises(NotYours):
        read_as(asha.account_id, records.photo_file, str(shown_id))


def test_another_customers_photo_id_is_not_found(world, pair, tmp_path):
    asha, ravi = pair
    theirs, _private = shared_at_estimate(world, ravi.job_id, tmp_path)
    assert read_as(ravi.account_id, records.photo_file, str(theirs)).path
    for forged in (str(theirs), "999999", "-1", "1 OR 1=1", "", "../1"):
        with pytest.raises(NotYours):
            read_as(asha.account_id, records.photo_file, forged)
