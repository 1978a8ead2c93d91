"""The registry of the OCPI modules evroam serves and calls: each module declared once, here.

Everything that depends on which modules exist is derived from `MODULES`: the version details we
serve (`ocpi/versions/routes.py`), who may pull a Sender interface (`ocpi/protocol/pagination.py`), the
routing-header rule (`ocpi/protocol/routing_headers.py`, `ocpi/protocol/client.py`), the app's mounting
(`ocpi/app.py`), which publishers the commit hook drives and in what order (`publication/hook.py`), and
when a push is switched on and what it supersedes in the outbox (`delivery/outbox.py`). A new module is
one entry here (see README.md, "Layout").

Routes and publishers are named as "module.path:attribute" strings, resolved when they are first
needed, so that this file imports nothing heavy: the protocol plumbing imports it, and the modules'
own routes import the plumbing.

Only modules evroam serves or calls are declared. Which OCPI modules a CPO owns in general (for roles
a 2.1.1 partner does not state) is a fact of the protocol, kept in `ocpi/credentials/discovery.py`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

V221 = "2.2.1"
V211 = "2.1.1"
# Our implementations, newest first.
OUR_VERSIONS: tuple[str, ...] = (V221, V211)
# The partner versions we can talk to, best first, and which of our implementations serves each:
# "2.2" differs from 2.2.1 only in documentation, so the 2.2.1 code speaks it.
PARTNER_VERSIONS: dict[str, str] = {"2.2.1": V221, "2.2": V221, "2.1.1": V211}

LOCATIONS = "locations"
TARIFFS = "tariffs"
TOKENS = "tokens"
SESSIONS = "sessions"
CDRS = "cdrs"
COMMANDS = "commands"
CHARGINGPROFILES = "chargingprofiles"

SENDER = "SENDER"
RECEIVER = "RECEIVER"
PUT, PATCH, DELETE, POST = "PUT", "PATCH", "DELETE", "POST"


def implementation_of(version: str | None) -> str | None:
    """Our implementation that serves a partner's version number (None: we cannot speak it)."""
    return PARTNER_VERSIONS.get(version or "")


class DeliveryKind(Enum):
    """How an outbox row of a module reaches the partner (the row itself: `delivery/models.py`).

    * OBJECT, the object pushed to the partner's Receiver endpoint at
      `/{country_code}/{party_id}/{object id}[/...]` with PUT, PATCH or DELETE (locations, tariffs,
      sessions); rows of one object go out in order, and a new row of a superseding method makes the
      waiting ones pointless.
    * POSTED_ONCE, a document POSTed to the partner's Receiver endpoint itself (CDRs): never superseded,
      the partner's `Location` header kept, and the partner's answer that it already holds that id
      taken as delivered (a retry after a lost answer POSTs again).
    * RESULT, a document sent once to a URL the partner gave: a result POSTed to the `response_url` of
      its request (commands, charging profiles), or an ActiveChargingProfile PUT to its chargingprofiles
      endpoint at `/{session_id}`. The row carries its URL, so neither a `models` flag nor a Receiver
      endpoint is needed to send it; nothing supersedes it.
    """

    OBJECT = "OBJECT"
    POSTED_ONCE = "POSTED_ONCE"
    RESULT = "RESULT"

    def path(self, country_code: str, party_id: str, subpath: str) -> str:
        """The row's path below the partner's Receiver endpoint."""
        if self is not DeliveryKind.OBJECT:
            return ""
        return f"/{country_code}/{party_id}/{subpath}"

    @property
    def needs_receiver_endpoint(self) -> bool:
        """Whether its rows go to the partner's Receiver endpoint of the module (a RESULT goes to a URL
        the partner gave with its request)."""
        return self is not DeliveryKind.RESULT

    @property
    def whole_document_method(self) -> str:
        """How a stored document is sent whole once more: a full PUT of the object, or the document POSTed
        again (the partner that already holds it answers so, which counts as delivered)."""
        return POST if self is DeliveryKind.POSTED_ONCE else PUT

    @property
    def coalesces(self) -> bool:
        """Whether a newer row of an object may make the waiting ones pointless (never for a document
        the partner keeps each of, such as a CDR)."""
        return self is DeliveryKind.OBJECT


@dataclass(frozen=True, slots=True)
class Pushes:
    """How changes of a module's objects are pushed to partners' Receiver interfaces."""

    # The integration's `models` flag that switches them (False: off; None or absent: on); None: no flag
    # (a command's result is owed to the partner that asked for it).
    flag: str | None
    kind: DeliveryKind = DeliveryKind.OBJECT
    # Methods whose new row supersedes the waiting rows of the same object: a full PUT or a DELETE
    # carries the object's whole newest state; a PATCH (an EVSE status) only part of it. Only kinds that
    # coalesce have any (`DeliveryKind.coalesces`).
    superseding: frozenset[str] = frozenset({PUT, DELETE})

    def supersedes_with(self, method: str) -> bool:
        """Whether a new row of this method makes the waiting rows of its object pointless."""
        return self.kind.coalesces and method in self.superseding


@dataclass(frozen=True, slots=True)
class Module:
    identifier: str
    versions: tuple[str, ...]
    # The interface we serve, as our version details list it; None: not listed (the versions module).
    role: str | None
    # The partner's interface we call; None: we call none of this module.
    partner_role: str | None
    # "module.path:attribute": an APIRouter, or a list of them, mounted under /ocpi.
    routes: str
    # Configuration modules (versions, credentials, hubclientinfo) carry no routing headers and are
    # offered to every partner.
    configuration: bool = False
    # A partner whose version details lack this module cannot be registered.
    required_of_partner: bool = False
    # The `models` flag that opens our Sender interface to a partner (False: closed; None or absent: open).
    pull_flag: str | None = None
    pushes: Pushes | None = None
    # "module.path:attribute": the publisher that keeps this module's documents in the ledger.
    publisher: str | None = None
    # Modules whose objects this module's documents refer to: they are published (and pushed) first.
    refers_to: tuple[str, ...] = ()
    # Withdrawn objects stay listed (locations: OCPI never deletes one, its EVSEs become REMOVED);
    # otherwise a withdrawn object is no longer served (tariffs: DELETEd).
    keeps_withdrawn: bool = False


MODULES: tuple[Module, ...] = (
    Module("versions", OUR_VERSIONS, role=None, partner_role=None,
           routes="evroam.ocpi.versions.routes:router", configuration=True),
    Module("credentials", OUR_VERSIONS, role=SENDER, partner_role=SENDER,
           routes="evroam.ocpi.credentials.routes:router", configuration=True, required_of_partner=True),
    Module(LOCATIONS, OUR_VERSIONS, role=SENDER, partner_role=RECEIVER,
           routes="evroam.ocpi.locations.routes:routers", pull_flag="pullLocation",
           pushes=Pushes("pushLocation"), publisher="evroam.publication.locations:publisher",
           refers_to=(TARIFFS,), keeps_withdrawn=True),
    Module(TARIFFS, OUR_VERSIONS, role=SENDER, partner_role=RECEIVER,
           routes="evroam.ocpi.tariffs.routes:routers", pull_flag="pullTariff",
           pushes=Pushes("pushTariff"), publisher="evroam.publication.tariffs:publisher"),
    # A Session PUT carries the session's whole state; a PATCH (periods appended, a new total) only part.
    Module(SESSIONS, OUR_VERSIONS, role=SENDER, partner_role=RECEIVER,
           routes="evroam.ocpi.sessions.routes:routers", pull_flag="pullSession",
           pushes=Pushes("pushSession", superseding=frozenset({PUT})), publisher="evroam.publication.sessions:publisher",
           refers_to=(LOCATIONS, TARIFFS)),
    Module(CDRS, OUR_VERSIONS, role=SENDER, partner_role=RECEIVER,
           routes="evroam.ocpi.cdrs.routes:routers", pull_flag="pullCdr",
           pushes=Pushes("pushCdr", kind=DeliveryKind.POSTED_ONCE), publisher="evroam.publication.cdrs:publisher",
           refers_to=(LOCATIONS, TARIFFS, SESSIONS)),
    Module(TOKENS, OUR_VERSIONS, role=RECEIVER, partner_role=SENDER,
           routes="evroam.ocpi.tokens.routes:routers"),
    # Results go to the `response_url` of each command: the partner's commands endpoint is never called.
    Module(COMMANDS, OUR_VERSIONS, role=RECEIVER, partner_role=None,
           routes="evroam.ocpi.commands.routes:routers", pushes=Pushes(None, kind=DeliveryKind.RESULT)),
    # The eMSP's (or SCSP's) Sender interface receives ActiveChargingProfile PUTs; results go to response_urls.
    Module(CHARGINGPROFILES, (V221,), role=RECEIVER, partner_role=SENDER,
           routes="evroam.ocpi.chargingprofiles.routes:router", pushes=Pushes(None, kind=DeliveryKind.RESULT)),
    Module("hubclientinfo", (V221,), role=RECEIVER, partner_role=None,
           routes="evroam.ocpi.hubclientinfo.routes:router", configuration=True),
)  # fmt: skip

# The views below read MODULES when asked (a handful of entries), so that an entry added to it, in a
# test too, is seen everywhere.


def module(identifier: str) -> Module:
    return next(entry for entry in MODULES if entry.identifier == identifier)


def is_configuration(identifier: str) -> bool:
    """Configuration modules carry no routing headers; any other identifier, even one we do not serve, may."""
    return any(entry.identifier == identifier and entry.configuration for entry in MODULES)


def mounting_order() -> tuple[Module, ...]:
    """Functional modules first, then configuration ones: routes are matched in order, and partners
    ask the Sender modules page after page."""
    return tuple(sorted(MODULES, key=lambda entry: entry.configuration))


def publication_order() -> tuple[Module, ...]:
    """The modules with a publisher, each after the modules its documents refer to."""
    return _referred_first(entry for entry in MODULES if entry.publisher is not None)


def push_order() -> tuple[Module, ...]:
    """The modules whose published documents are pushed to partners (what a resync can push again), each
    after the modules its documents refer to."""
    return _referred_first(entry for entry in MODULES if entry.pushes is not None and entry.publisher is not None)


def _referred_first(entries: Iterable[Module]) -> tuple[Module, ...]:
    wanted = tuple(entries)
    ordered: list[Module] = []

    def visit(entry: Module, path: tuple[str, ...]) -> None:
        if entry in ordered:
            return
        if entry.identifier in path:
            raise ValueError(f"OCPI modules refer to each other in a cycle: {' -> '.join(path)}")
        for identifier in entry.refers_to:
            visit(module(identifier), (*path, entry.identifier))
        ordered.append(entry)

    for entry in wanted:
        visit(entry, ())
    return tuple(entry for entry in ordered if entry in wanted)


@functools.cache
def resolve(reference: str) -> Any:
    """The object a "module.path:attribute" reference names."""
    module_path, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_path), attribute)
