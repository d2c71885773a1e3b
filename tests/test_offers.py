"""The offer log's fields: one dictionary entry per column, bad values named."""

import datetime as dt

import pytest
from sqlalchemy import inspect as sa_inspect

from geo.errors import FieldError
from geo.fields import OFFER_FIELDS
from geo.models import Offer
from geo.offers import save_offers, update_offer


def test_every_offer_column_is_a_dictionary_field_and_back():
    columns = {c.key for c in sa_inspect(Offer).columns} - {
        "id", "version", "created_at", "updated_at"}
    names = {f.name for f in OFFER_FIELDS}
    assert {c.removesuffix("_id") for c in columns} == names


def test_an_offer_status_outside_the_dictionary_is_refused(session):
    offer = save_offers(session, "141023XM001", [("141023CL0001", 50.0)],
                        dt.date(2026, 11, 26))[0]
    with pytest.raises(FieldError) as caught:
        update_offer(session, offer.id, {"status": "burnt"})
    assert caught.value.field == "status"
    assert update_offer(session, offer.id, {"status": "有意向", "feedback": "再看看"}).status \
        == "interested"
