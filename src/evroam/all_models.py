"""Imports every table module so that metadata (Alembic, tests) sees the whole schema."""

from evroam.db import Base
from evroam.delivery import models as delivery_models  # noqa: F401
from evroam.integrations import models as integrations_models  # noqa: F401
from evroam.integrations import publication_models  # noqa: F401
from evroam.network import models as network_models  # noqa: F401
from evroam.tariffs import models as tariffs_models  # noqa: F401

metadata = Base.metadata
