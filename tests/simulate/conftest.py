from tests.charging.conftest import emsp  # noqa: F401
from tests.charging.sessions.conftest import network  # noqa: F401
from tests.ocpp.conftest import gateway  # noqa: F401
