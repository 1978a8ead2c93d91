"""Keeping the eMSPs' tokens: the one way tokens are written, whether pushed or pulled.

`store_tokens` writes many tokens in one statement (a pull stores a page of 1,000 at once; a PUT is a page
of one). A token older than the stored one (its `last_updated` before the stored `last_updated`) does not
replace it: a page fetched before a push must not undo the push. Either way the token counts as seen,
so a full pull that lists it does not mark it invalid.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.charging.tokens.models import PartnerToken
from evroam.charging.tokens.records import KeptToken, TokenFilters, TokenKey
from evroam.database.locks import locked_row
from evroam.database.paging import PageRequest, paginate
from evroam.database.upsert import upsert_for
from evroam.integrations.service import get_integration

# The columns a newer token replaces; `seen_at` is replaced whatever the token's age.
_REPLACED = ("uid", "contract_id", "valid", "whitelist", "document", "last_updated")
_KEY = ("integration_id", "country_code", "party_id", "uid_key", "type")


def _newest_per_key(tokens: Iterable[KeptToken]) -> list[KeptToken]:
    """One token per key (a statement may touch a row once), the newest when a page repeats one."""
    newest: dict[tuple[str, str, str, str], KeptToken] = {}
    for token in tokens:
        key = (token.key.country_code, token.key.party_id, token.key.uid_key, token.key.type)
        if key not in newest or token.last_updated >= newest[key].last_updated:
            newest[key] = token
    return list(newest.values())


async def store_token(session: AsyncSession, integration_id: str, token: KeptToken, seen_at: datetime) -> bool:
    """Inserts or updates one token; True if this call inserted it. Of two calls racing to insert one new
    token, one inserts and the other (on PostgreSQL, waiting for the first to commit) updates."""
    insert = upsert_for(session.get_bind())
    inserted = await session.scalar(
        insert(PartnerToken).values(_rows(integration_id, [token], seen_at)).on_conflict_do_nothing()
        .returning(PartnerToken.id)
    )
    if inserted is None:
        await store_tokens(session, integration_id, [token], seen_at)
    return inserted is not None


async def store_tokens(session: AsyncSession, integration_id: str, tokens: Iterable[KeptToken],
                       seen_at: datetime) -> int:
    """Inserts or updates the tokens of one integration; returns how many distinct tokens were given."""
    rows = _rows(integration_id, tokens, seen_at)
    if not rows:
        return 0
    insert = upsert_for(session.get_bind())
    statement = insert(PartnerToken)
    table = PartnerToken.__table__
    newer = statement.excluded.last_updated >= table.c.last_updated
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in _KEY],
        set_={
            **{name: case((newer, statement.excluded[name]), else_=table.c[name]) for name in _REPLACED},
            "seen_at": statement.excluded.seen_at,
        },
    )
    await session.execute(statement, rows)
    return len(rows)


def _rows(integration_id: str, tokens: Iterable[KeptToken], seen_at: datetime) -> list[dict]:
    return [
        {
            "integration_id": integration_id,
            "country_code": token.key.country_code,
            "party_id": token.key.party_id,
            "uid": token.key.uid,
            "uid_key": token.key.uid_key,
            "type": token.key.type,
            "contract_id": token.contract_id,
            "valid": token.valid,
            "whitelist": token.whitelist,
            "document": token.document,
            "last_updated": token.last_updated,
            "seen_at": seen_at,
        }
        for token in _newest_per_key(tokens)
    ]


async def invalidate_unseen(session: AsyncSession, integration_id: str, seen_before: datetime) -> int:
    """Marks invalid the valid tokens of an integration not seen since `seen_before` (the start of a full
    pull that listed every token the eMSP has); OCPI never deletes a token. Returns how many."""
    table = PartnerToken.__table__
    if session.get_bind().dialect.name == "postgresql":
        document = func.jsonb_set(table.c.document, literal_column("'{valid}'"), literal_column("'false'::jsonb"))
    else:
        document = func.json_set(table.c.document, "$.valid", func.json("false"))
    result = await session.execute(
        update(table)
        .where(table.c.integration_id == integration_id, table.c.seen_at < seen_before, table.c.valid.is_(True))
        .values(valid=False, document=document)
    )
    return result.rowcount


def _by_key(integration_id: str, key: TokenKey) -> tuple[ColumnElement[bool], ...]:
    return (
        PartnerToken.integration_id == integration_id,
        PartnerToken.country_code == key.country_code.upper(),
        PartnerToken.party_id == key.party_id.upper(),
        PartnerToken.uid_key == key.uid_key,
        PartnerToken.type == key.type,
    )


async def find_token(session: AsyncSession, integration_id: str, key: TokenKey) -> PartnerToken | None:
    """One integration's token by its OCPI key (uid without regard to case); another integration's is None."""
    return await session.scalar(select(PartnerToken).where(*_by_key(integration_id, key)))


async def locked_token(session: AsyncSession, integration_id: str, key: TokenKey) -> PartnerToken | None:
    """The same, locked until the transaction ends: a PATCH reads, merges and writes it back, and a
    concurrent PATCH of the same token must merge into what this one wrote, not into what both read."""
    return await locked_row(session, PartnerToken, *_by_key(integration_id, key))


async def list_tokens(
    session: AsyncSession, operator_id: int, integration_id: str, page: PageRequest, filters: TokenFilters
) -> tuple[list[PartnerToken], int]:
    """An integration's tokens in the order they were first stored; 404 for an unknown integration or
    another operator's."""
    await get_integration(session, operator_id, integration_id)
    query = select(PartnerToken).where(PartnerToken.integration_id == integration_id).order_by(PartnerToken.id)
    if filters.uid is not None:
        query = query.where(PartnerToken.uid_key == filters.uid.upper())
    if filters.type is not None:
        query = query.where(PartnerToken.type == filters.type)
    if filters.valid is not None:
        query = query.where(PartnerToken.valid.is_(filters.valid))
    return await paginate(session, query, page)
