from tests.charging.sessions.conftest import network  # noqa: F401
