"""Trigram indexes over customer names, emails, tags and phones: FTS5 on SQLite, pg_trgm on PostgreSQL.

SQLite's FTS5 with the trigram tokenizer answers ``%text%`` searches from an index
instead of scanning every row. Triggers keep it in step with ``clienteling_customer``.
On PostgreSQL the list's LIKE clauses are answered from GIN trigram indexes on the same columns
(:data:`TRIGRAM_INDEXES`, migration ``clienteling_0002``). A viewer without the PII permission is matched on
the name and tag columns only (see :func:`indexed_search`). Tables named ``*_fts*`` are left out of
Alembic's comparison (see jewelerp/migration_env/env.py).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import DDL, String, column, event, literal_column, select, table, text

from jewelerp.db import get_engine
from jewelerp.search_indexes import trigram_indexes
from modules.clienteling.models import Customer

FTS_TABLE = "clienteling_customer_fts"
_COLUMNS = "name, email, tags, phone, alt_phone"
_NEW = "new.id, new.name, new.email, new.tags, new.phone, new.alt_phone"
_OLD = "old.id, old.name, old.email, old.tags, old.phone, old.alt_phone"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_COLUMNS}, "
    "content='clienteling_customer', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON clienteling_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON clienteling_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) VALUES ('delete', {_OLD}); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {_COLUMNS} ON clienteling_customer BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) VALUES ('delete', {_OLD}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
)
REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
DROP = (*(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{s}" for s in ("ai", "ad", "au")), f"DROP TABLE IF EXISTS {FTS_TABLE}")

TRIGRAM_INDEXES = (  # what customer_search's LIKE clauses and the metal filter read
    ("clienteling_customer_name_trgm", "lower(name)"),
    ("clienteling_customer_tags_trgm", "lower(tags)"),
    ("clienteling_customer_email_trgm", "lower(email)"),
    ("clienteling_customer_phone_trgm", "phone"),
    ("clienteling_customer_alt_phone_trgm", "alt_phone"),
    ("clienteling_customer_pref_metals_trgm", "', ' || pref_metals || ','"),  # the list's metal filter
)
# The preferred metals as ", gold, rose gold," so one metal matches whole (", gold," is not in ", rose gold,"):
# the constants are written into the SQL, not bound, so PostgreSQL sees the indexed expression in the query.
METAL_LIST = literal_column("', '", String) + Customer.pref_metals + literal_column("','", String)

for _statement in CREATE:  # tables made with create_all (tests, benches) get the index too
    event.listen(Customer.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
trigram_indexes(Customer.__table__, TRIGRAM_INDEXES)


def indexed_search(typed: str, *, contacts: bool) -> Any | None:
    """A clause matching customers by part of a name or tag and, with ``contacts``, by part of an email or
    of the phone digits; None where the index cannot help.

    Without ``contacts`` the match is restricted to the name and tag columns of the index, so no part
    of a phone or an email can make a row match (masked contact details are searched whole, elsewhere).
    """
    if get_engine().dialect.name != "sqlite" or len(typed) < 3:
        return None
    phrase = '"' + typed.replace('"', '""') + '"'
    if not contacts:
        return _matching(f"{{name tags}}: {phrase}")
    match = f"{{name email tags}}: {phrase}"
    digits = re.sub(r"\D", "", typed)
    if len(digits) >= 4:
        match += f' OR {{phone alt_phone}}: "{digits[-10:]}"'
    return _matching(match)


def _matching(match: str) -> Any:
    """Customers whose index row matches the FTS5 query ``match``."""
    ids = select(column("rowid")).select_from(table(FTS_TABLE))
    return Customer.id.in_(ids.where(text(f"{FTS_TABLE} MATCH :customer_match").bindparams(customer_match=match)))
