"""The docs pages of both APIs (/docs and /ocpi/docs, and their /redoc), served with the Swagger UI and
ReDoc assets of the fastapi-offline package: FastAPI's own pages load them from a CDN, and an operator's
network without internet showed a blank page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

# Under each app's own root: /docs-assets, or /ocpi/docs-assets for the mounted OCPI app.
ASSETS_PATH = "/docs-assets"
# Swagger UI would otherwise show a badge fetched from the online validator.
_SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def app_with_offline_docs(**settings: Any) -> FastAPI:
    """A FastAPI app, as `FastAPI(**settings)`, whose docs pages need nothing from outside."""
    return FastAPIOffline(static_url=ASSETS_PATH, swagger_ui_parameters=_SWAGGER_UI_PARAMETERS, **settings)
