"""A charge point simulator on mobilityhouse `ocpp` (charger) and `websockets` (run), for demos and tests."""
