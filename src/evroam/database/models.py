"""The model registry: imports every table module, so that metadata (Alembic, tests) sees the whole schema."""

from evroam.charging.authorization import models as authorization_models  # noqa: F401
from evroam.charging.commands import models as commands_models  # noqa: F401
from evroam.charging.reservations import models as reservations_models  # noqa: F401
from evroam.charging.events import models as charger_events_models  # noqa: F401
from evroam.charging.sessions import models as charging_sessions_models  # noqa: F401
from evroam.charging.cdrs import models as cdrs_models  # noqa: F401
from evroam.charging.tokens import models as tokens_models  # noqa: F401
from evroam.charging.tokens.pulls import models as token_pulls_models  # noqa: F401
from evroam.database.base import Base
from evroam.delivery import models as delivery_models  # noqa: F401
from evroam.integrations import models as integrations_models  # noqa: F401
from evroam.integrations.locations import models as integration_locations_models  # noqa: F401
from evroam.integrations.tariff_links import models as tariff_links_models  # noqa: F401
from evroam.network.chargers import models as chargers_models  # noqa: F401
from evroam.network.operators import models as operators_models  # noqa: F401
from evroam.network.sites import models as sites_models  # noqa: F401
from evroam.ocpp import models as ocpp_models  # noqa: F401
from evroam.publication import models as publication_models  # noqa: F401
from evroam.tariffs import models as tariffs_models  # noqa: F401
from evroam.tariffs.spot import models as spot_models  # noqa: F401

metadata = Base.metadata
