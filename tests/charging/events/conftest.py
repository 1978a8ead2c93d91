from tests.charging.sessions.conftest import emsp, network  # noqa: F401
