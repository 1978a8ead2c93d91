"""The floor under `POST /api/v2/cpo/authorize`: FastAPI with evroam's request and answer models and an
API key header, deciding nothing (no database, no evroam middleware). What it costs per request is what
the framework and the HTTP server cost before evroam does anything; bench_authorize.py serves it under
uvicorn as it serves evroam and sends it the same requests.

    .venv/bin/python -m uvicorn --app-dir bench floor_app:app
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header

from evroam.charging.authorization.schemas import AuthorizeRequest, AuthorizeResponse

app = FastAPI()


@app.post("/api/v2/cpo/authorize", response_model=AuthorizeResponse)
async def authorize(body: AuthorizeRequest, x_api_key: Annotated[str, Header()]) -> dict:
    return {"allowed": True, "status": "ALLOWED", "source": "LOCAL", "integration_id": None,
            "authorization_reference": "FLOOR", "token": None, "reason": f"{body.id_tag} decided by nobody."}
