"""CDRs Sender interface (we serve), 2.2.1 and 2.1.1: `/ocpi/{version}/cdrs`.

A partner sees the CDRs of its own integration, as the publication ledger holds them (each in the
partner's version, ocpi/cdrs/mapping.py); `last_updated` is the CDR's creation, as CDRs never change.
The list is the whole Sender interface: OCPI has no GET of one CDR on the Sender side.
"""

from __future__ import annotations

from evroam.ocpi.modules import CDRS, module
from evroam.ocpi.protocol.pagination import sender_router

routers = [sender_router(version, CDRS) for version in module(CDRS).versions]
