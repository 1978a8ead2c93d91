"""OCPI-derived value sets used by the operator's network (2.2.1 spellings)."""

from typing import Literal

ParkingType = Literal[
    "ALONG_MOTORWAY", "PARKING_GARAGE", "PARKING_LOT", "ON_DRIVEWAY", "ON_STREET", "UNDERGROUND_GARAGE",
    "OTHER", "UNKNOWN",
]
Facility = Literal[
    "HOTEL", "RESTAURANT", "CAFE", "MALL", "SUPERMARKET", "SPORT", "RECREATION_AREA", "NATURE", "MUSEUM",
    "BIKE_SHARING", "BUS_STOP", "TAXI_STAND", "TRAM_STOP", "METRO_STATION", "TRAIN_STATION", "AIRPORT",
    "PARKING_LOT", "CARPOOL_PARKING", "FUEL_STATION", "WIFI",
]
ImageCategory = Literal["CHARGER", "ENTRANCE", "LOCATION", "NETWORK", "OPERATOR", "OTHER", "OWNER"]
EnergySourceCategory = Literal[
    "NUCLEAR", "GENERAL_FOSSIL", "COAL", "GAS", "GENERAL_GREEN", "SOLAR", "WIND", "WATER"
]
EnvironmentalImpactCategory = Literal["NUCLEAR_WASTE", "CARBON_DIOXIDE"]
ConnectorStandard = Literal[
    "CHADEMO", "CHAOJI", "DOMESTIC_A", "DOMESTIC_B", "DOMESTIC_C", "DOMESTIC_D", "DOMESTIC_E", "DOMESTIC_F",
    "DOMESTIC_G", "DOMESTIC_H", "DOMESTIC_I", "DOMESTIC_J", "DOMESTIC_K", "DOMESTIC_L", "DOMESTIC_M",
    "DOMESTIC_N", "DOMESTIC_O", "GBT_AC", "GBT_DC", "IEC_60309_2_single_16", "IEC_60309_2_three_16",
    "IEC_60309_2_three_32", "IEC_60309_2_three_64", "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2",
    "IEC_62196_T2_COMBO", "IEC_62196_T3A", "IEC_62196_T3C", "NEMA_5_20", "NEMA_6_30", "NEMA_6_50",
    "NEMA_10_30", "NEMA_10_50", "NEMA_14_30", "NEMA_14_50", "PANTOGRAPH_BOTTOM_UP", "PANTOGRAPH_TOP_DOWN",
    "TESLA_R", "TESLA_S",
]
ConnectorFormat = Literal["SOCKET", "CABLE"]
PowerType = Literal["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]
Capability = Literal[
    "CHARGING_PROFILE_CAPABLE", "CHARGING_PREFERENCES_CAPABLE", "CHIP_CARD_SUPPORT",
    "CONTACTLESS_CARD_SUPPORT", "CREDIT_CARD_PAYABLE", "DEBIT_CARD_PAYABLE", "PED_TERMINAL",
    "REMOTE_START_STOP_CAPABLE", "RESERVABLE", "RFID_READER", "START_SESSION_CONNECTOR_REQUIRED",
    "TOKEN_GROUP_CAPABLE", "UNLOCK_CAPABLE",
]
# OCPP 1.6 connector status names, as chargers report them.
SocketStatus = Literal[
    "Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Reserved",
    "Unavailable", "Faulted",
]
TokenType = Literal["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]
