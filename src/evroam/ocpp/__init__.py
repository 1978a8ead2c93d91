"""The OCPP 1.6J charger gateway, on mobilityhouse `ocpp`: the chargers' WebSocket (routes, connection),
what is answered to each message (handlers), meter readings (meter) and the gateway's tables (models,
service)."""
