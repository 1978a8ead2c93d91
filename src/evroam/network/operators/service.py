"""Operators and their API keys."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.config import MIN_API_KEY_LENGTH, Settings
from evroam.network.operators.models import ApiKey, Operator
from evroam.security import hash_secret


async def default_operator(session: AsyncSession, settings: Settings) -> Operator:
    """The operator named by the settings (country code + party id), created on first use."""
    operator = await session.scalar(
        select(Operator).where(
            Operator.country_code == settings.country_code.upper(), Operator.party_id == settings.party_id.upper()
        )
    )
    if operator is None:
        operator = Operator(
            country_code=settings.country_code.upper(),
            party_id=settings.party_id.upper(),
            name=settings.business_name,
            website=settings.business_website or None,
        )
        session.add(operator)
        await session.flush()
    return operator


async def create_operator(
    session: AsyncSession, country_code: str, party_id: str, name: str, website: str | None = None
) -> Operator:
    operator = Operator(country_code=country_code.upper(), party_id=party_id.upper(), name=name, website=website)
    session.add(operator)
    await session.flush()
    return operator


async def create_api_key(session: AsyncSession, operator_id: int, name: str, key: str | None = None) -> str:
    """Stores the key's hash and returns the key itself: the only time it is ever seen."""
    key = key or "evr_" + secrets.token_urlsafe(32)
    if len(key) < MIN_API_KEY_LENGTH:
        raise ValueError(f"an API key needs at least {MIN_API_KEY_LENGTH} characters")
    session.add(ApiKey(operator_id=operator_id, name=name, key_hash=hash_secret(key)))
    await session.flush()
    return key


async def ensure_api_key(session: AsyncSession, operator_id: int, key: str, name: str) -> None:
    """Makes a given key (EVROAM_BOOTSTRAP_API_KEY) valid for the operator, idempotently."""
    existing = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_secret(key)))
    if existing is None:
        await create_api_key(session, operator_id, name, key)
    elif existing.operator_id != operator_id:
        raise RuntimeError("EVROAM_BOOTSTRAP_API_KEY already belongs to another operator")
