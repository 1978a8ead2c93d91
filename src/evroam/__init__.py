"""evroam: a roaming integration platform for EV charge point operators."""

__version__ = "0.1.0"
