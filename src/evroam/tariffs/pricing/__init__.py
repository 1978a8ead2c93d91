"""The pure pricing engine: (tariff, session or CDR periods, spot prices, time zone) -> costs.

No I/O and no framework imports (a test holds it to that). `price_cdr` and `price_session` are its entry
points; `evroam.tariffs.pricing.price_cdr(tariff, cdr, time_zone=None)` is a published contract.
"""

from evroam.tariffs.pricing.engine import price_cdr, price_session

__all__ = ["price_cdr", "price_session"]
