"""`evroam demo`: a small believable network, its tariffs and one eMSP integration, loaded once.

Everything goes through the same services as the management API: two sites (the harbour one with a
level P2 subsite), four chargers with eight sockets, three tariffs (energy; time plus daytime parking;
spot price capped, FI bidding zone), and an OCPI integration with two published locations and tariff
links at location, charger and socket level. The integration then looks as if the eMSP had
registered with the token A issued to it (that step is the partner's, over OCPI): CONNECTED, with its
version details and company. Its push switches are off and the partner pulls, so a demo server sends
nothing to the example eMSP's (unreachable) endpoints. Nothing secret is printed.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.config import Settings, new_secret_token
from evroam.events import Change, announce
from evroam.integrations.locations import service as location_service
from evroam.integrations import service as integration_service
from evroam.integrations.tariff_links import service as tariff_link_service
from evroam.integrations.locations.schemas import LocationCreate
from evroam.integrations.models import Integration, IntegrationToken
from evroam.integrations.schemas import IntegrationCreate
from evroam.integrations.tariff_links.schemas import TariffLinksIn
from evroam.network.chargers import service as charger_service
from evroam.network.operators import service as operator_service
from evroam.network.sites import service as site_service
from evroam.network.chargers.schemas import ChargerCreate
from evroam.network.sites.models import Site
from evroam.network.sites.schemas import SiteCreate
from evroam.runtime import Runtime
from evroam.security import hash_secret
from evroam.startup import bootstrap, prepare_database
from evroam.wiring import wired_runtime
from evroam.tariffs import service as tariff_service
from evroam.tariffs.schemas import TariffCreate

MARKER_EXTERNAL_ID = "DEMO-HARBOUR"
EMSP = "https://emsp.example.com/ocpi"


async def load_demo(settings: Settings) -> bool:
    """Loads the demo into the configured database; False when it is there already (nothing changes)."""
    runtime = wired_runtime(settings)
    try:
        await prepare_database(runtime)
        await bootstrap(runtime)
        async with runtime.sessions() as session:
            operator_id = (await operator_service.default_operator(session, settings)).id
            loaded = await session.scalar(
                select(exists().where(Site.operator_id == operator_id, Site.external_id == MARKER_EXTERNAL_ID))
            )
            if loaded:
                return False
            await _load(session, runtime, operator_id)
        return True
    finally:
        await runtime.close()


async def _load(session: AsyncSession, runtime: Runtime, operator_id: int) -> None:
    harbour = await site_service.create_site(session, operator_id, SiteCreate.model_validate(_HARBOUR))
    level_p2 = await site_service.create_site(
        session, operator_id, SiteCreate.model_validate({**_LEVEL_P2, "parentSiteId": harbour.id})
    )
    airport = await site_service.create_site(session, operator_id, SiteCreate.model_validate(_AIRPORT))
    for site_id, charger in ((harbour.id, _HARBOUR_AC), (level_p2.id, _P2_AC), (airport.id, _AIRPORT_DC_1),
                             (airport.id, _AIRPORT_DC_2)):
        await charger_service.create_charger(
            session, operator_id, ChargerCreate.model_validate({**charger, "siteId": site_id})
        )
    energy, time_and_parking, spot = [
        (await tariff_service.create_tariff(session, operator_id, TariffCreate.model_validate(body))).id
        for body in (_ENERGY_TARIFF, _TIME_AND_PARKING_TARIFF, _SPOT_TARIFF)
    ]

    body = {**_INTEGRATION, "utilityCloudConnection": {**_UTILITY_CLOUD, "clientSecret": new_secret_token()}}
    integration, _token_a, _exchange = await integration_service.create_integration(
        session, runtime, operator_id, IntegrationCreate.model_validate(body)
    )
    integration_id = integration.integration_id
    harbour_location = await location_service.create_location(
        session, operator_id, integration_id,
        LocationCreate.model_validate({"siteId": harbour.id, "publishAllowedTo": _PUBLISH_ALLOWED_TO}),
    )
    airport_location = await location_service.create_location(
        session, operator_id, integration_id,
        LocationCreate.model_validate({"siteId": airport.id, "publishAllowedTo": _PUBLISH_ALLOWED_TO}),
    )
    links = {
        energy: [{"locationId": harbour_location}],
        time_and_parking: [{"locationId": airport_location}],
        # The fast charger follows the market; on the harbour charger, only the socket with the cable.
        spot: [
            {"locationId": airport_location, "chargers": [{"chargerId": _AIRPORT_DC_2["chargerId"]}]},
            {"locationId": harbour_location, "chargers": [{"chargerId": _HARBOUR_AC["chargerId"], "sockets": [2]}]},
        ],
    }
    for tariff_id, locations in links.items():
        await tariff_link_service.link_tariff(
            session, operator_id, integration_id, tariff_id, TariffLinksIn.model_validate({"locations": locations}),
            replace=True,
        )
    await _as_if_registered(session, runtime, operator_id, integration_id)


async def _as_if_registered(session: AsyncSession, runtime: Runtime, operator_id: int, integration_id: str) -> None:
    """The state the eMSP's registration (credentials POST with our token A) leaves: its token A used up,
    a token C issued to it (kept nowhere in clear), its token B, versions and company on record."""
    await session.execute(delete(IntegrationToken).where(IntegrationToken.integration_id == integration_id))
    session.add(IntegrationToken(token_hash=hash_secret(new_secret_token()), integration_id=integration_id, kind="C"))
    integration = await session.get(Integration, integration_id)
    integration.partner_token_encrypted = runtime.secrets.encrypt(new_secret_token())
    integration.partner_versions_url = f"{EMSP}/versions"
    integration.ocpi_version = "2.2.1"
    integration.version_details = {
        "version": "2.2.1",
        "endpoints": [
            {"identifier": module, "role": role, "url": f"{EMSP}/2.2.1/{module}"}
            for module, role in (("credentials", "SENDER"), ("locations", "RECEIVER"), ("tariffs", "RECEIVER"),
                                 ("sessions", "RECEIVER"), ("cdrs", "RECEIVER"), ("tokens", "SENDER"),
                                 ("commands", "SENDER"))
        ],
    }
    integration.partners_company_detail = [{
        "role": "EMSP", "partyId": "NOR", "countryCode": "FI", "name": "Nordic Drive eMSP",
        "website": "https://emsp.example.com",
        "logo": {"url": "https://emsp.example.com/logo.png", "thumbnail": "https://emsp.example.com/logo-small.png",
                 "category": "OPERATOR", "type": "png", "width": 512, "height": 512},
    }]
    integration.integration_status = "CONNECTED"
    integration.status_description = "Credentials exchanged over OCPI 2.2.1 (evroam was the credentials RECEIVER)."
    await session.flush()
    await announce(session, Change(operator_id=operator_id, integration_ids=frozenset({integration_id})))
    await session.commit()


# The demo data, in the management API's own JSON.

def _image(url: str, category: str) -> dict:
    return {"url": url, "thumbnail": url.replace(".jpg", "-small.jpg"), "category": category, "type": "jpeg",
            "width": 1280, "height": 853}


_OWNER = {"name": "Satama Parking Oy", "website": "https://parking.example.com",
          "logo": _image("https://parking.example.com/logo.jpg", "OWNER")}
_ENERGY_MIX = {
    "isGreenEnergy": True,
    "energySources": [{"source": "WIND", "percentage": 55}, {"source": "WATER", "percentage": 30},
                      {"source": "SOLAR", "percentage": 15}],
    "environImpact": [{"category": "CARBON_DIOXIDE", "amount": 0}, {"category": "NUCLEAR_WASTE", "amount": 0}],
    "supplierName": "Tuuli Energia Oy",
    "energyProductName": "Tuuli 100 % renewable",
}
_OPENING_TIMES = {
    "twentyfourseven": False,
    "regularHours": [{"weekday": day, "periodBegin": "05:00", "periodEnd": "23:30"} for day in range(1, 8)],
    "exceptionalOpenings": [{"periodBegin": "2026-12-31T21:00:00Z", "periodEnd": "2027-01-01T03:00:00Z"}],
    "exceptionalClosings": [{"periodBegin": "2026-06-19T21:00:00Z", "periodEnd": "2026-06-20T21:00:00Z"}],
}
_HARBOUR = {
    "name": "Harbour car park", "publicName": "Satama P-Harbour", "externalId": MARKER_EXTERNAL_ID,
    "timezone": "Europe/Helsinki", "country": "FIN", "state": "Uusimaa", "city": "Helsinki",
    "streetAddress": "Kanavakatu 5", "postalCode": "00160", "latitude": 60.168456, "longitude": 24.957532,
    "parkingType": "PARKING_GARAGE", "facilities": ["CAFE", "WIFI", "TRAM_STOP"], "openingTimes": _OPENING_TIMES,
    "chargingWhenClosed": True,
    "directions": [{"language": "en", "text": "Entrance from Kanavakatu; chargers on level 0 by the lifts."},
                   {"language": "fi", "text": "Sisäänajo Kanavakadulta; laturit tasolla 0 hissien vieressä."}],
    "images": [_image("https://parking.example.com/harbour.jpg", "LOCATION"),
               _image("https://parking.example.com/harbour-entrance.jpg", "ENTRANCE")],
    "energyMix": _ENERGY_MIX, "owner": _OWNER,
    "suboperator": {"name": "Satama Charging Oy", "website": "https://charging.example.com",
                    "logo": _image("https://charging.example.com/logo.jpg", "OPERATOR")},
    "relatedLocations": [{"latitude": 60.168112, "longitude": 24.956301,
                          "name": {"language": "en", "text": "Pedestrian exit to the ferry terminal"}}],
}
_LEVEL_P2 = {
    "name": "Harbour car park, level P2", "externalId": "DEMO-HARBOUR-P2", "timezone": "Europe/Helsinki",
    "country": "FIN", "city": "Helsinki", "streetAddress": "Kanavakatu 5", "postalCode": "00160",
    "latitude": 60.168456, "longitude": 24.957532, "parkingType": "PARKING_GARAGE", "isPublic": False,
}
_AIRPORT = {
    "name": "Airport travel centre", "publicName": "Airport P3 fast charging", "externalId": "DEMO-AIRPORT",
    "timezone": "Europe/Helsinki", "country": "FIN", "state": "Uusimaa", "city": "Vantaa",
    "streetAddress": "Lentäjäntie 3", "postalCode": "01530", "latitude": 60.317222, "longitude": 24.963333,
    "parkingType": "PARKING_LOT", "facilities": ["AIRPORT", "RESTAURANT", "WIFI"],
    "openingTimes": _OPENING_TIMES, "chargingWhenClosed": True,
    "directions": [{"language": "en", "text": "Follow the P3 signs; the chargers are at the lot's north end."}],
    "images": [_image("https://parking.example.com/airport.jpg", "LOCATION")],
    "energyMix": _ENERGY_MIX, "owner": {**_OWNER, "name": "Airport Parking Oy"},
    "suboperator": {"name": "Satama Charging Oy", "website": "https://charging.example.com",
                    "logo": _image("https://charging.example.com/logo.jpg", "OPERATOR")},
    "relatedLocations": [{"latitude": 60.316905, "longitude": 24.961742,
                          "name": {"language": "en", "text": "Terminal 2 walkway"}}],
}


def _socket(number: int, standard: str, socket_format: str, power_type: str, kw: int, evse: str) -> dict:
    voltage, amperage = (400, 32) if power_type == "AC_3_PHASE" else (920, 200)
    return {"id": number, "name": f"Outlet {number}", "type": standard, "format": socket_format,
            "socketPowerType": power_type, "maxPower": kw, "maxVoltage": voltage, "maxAmperage": amperage,
            "evseId": f"{evse}*{number}"}


def _charger(charger_id: str, name: str, evse: str, model: str, group: int, sockets: list[dict]) -> dict:
    return {"chargerId": charger_id, "name": name, "evseId": evse, "model": model, "manufacturer": "Kempower"
            if "DC" in model else "Ensto", "firmwareVersion": "2.4.1", "serialNumber": f"SN-{charger_id[-6:]}",
            "chargerGroupId": group, "chargerGroupName": "Harbour" if group == 1 else "Airport",
            "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE", "UNLOCK_CAPABLE"], "sockets": sockets}


_HARBOUR_AC = _charger("EVR_Charger10001", "Harbour AC 1", "FI*EVR*E10001", "Ensto Pro AC", 1, [
    _socket(1, "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 22, "FI*EVR*E10001"),
    _socket(2, "IEC_62196_T2", "CABLE", "AC_3_PHASE", 22, "FI*EVR*E10001"),
])
_P2_AC = _charger("EVR_Charger10002", "Harbour P2 AC", "FI*EVR*E10002", "Ensto One AC", 1, [
    _socket(1, "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 11, "FI*EVR*E10002"),
    _socket(2, "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 11, "FI*EVR*E10002"),
])
_AIRPORT_DC_1 = _charger("EVR_Charger20001", "Airport DC 1", "FI*EVR*E20001", "Kempower S DC", 2, [
    _socket(1, "IEC_62196_T2_COMBO", "CABLE", "DC", 150, "FI*EVR*E20001"),
    _socket(2, "CHADEMO", "CABLE", "DC", 50, "FI*EVR*E20001"),
])
_AIRPORT_DC_2 = _charger("EVR_Charger20002", "Airport DC 2", "FI*EVR*E20002", "Kempower S DC", 2, [
    _socket(1, "IEC_62196_T2_COMBO", "CABLE", "DC", 150, "FI*EVR*E20002"),
    _socket(2, "IEC_62196_T2_COMBO", "CABLE", "DC", 150, "FI*EVR*E20002"),
])

_TARIFF_COMMON = {"currency": "EUR", "useType": "PRICE", "tariffEnergyMix": _ENERGY_MIX,
                  "tariffAltUrl": "https://charging.example.com/prices"}
_ENERGY_TARIFF = {
    **_TARIFF_COMMON, "name": "Harbour AC", "externalId": "DEMO-AC", "type": "REGULAR", "common": True,
    "tariffAltText": [{"language": "en", "text": "0.29 EUR/kWh excl. VAT"},
                      {"language": "fi", "text": "0,29 EUR/kWh alv 0 %"}],
    "minPrice": {"exclVat": 0.5, "inclVat": 0.63}, "maxPrice": {"exclVat": 40, "inclVat": 50.2},
    "elements": [{"priceComponents": [{"type": "ENERGY", "price": 0.29, "vat": 25.5, "stepSize": 1}]}],
}
_TIME_AND_PARKING_TARIFF = {
    **_TARIFF_COMMON, "name": "Airport DC time and parking", "externalId": "DEMO-DC", "type": "PROFILE_FAST",
    "tariffAltText": [{"language": "en", "text": "9.60 EUR/h charging; parking 6 EUR/h on weekdays 8-20."}],
    "minPrice": {"exclVat": 1, "inclVat": 1.26}, "maxPrice": {"exclVat": 60, "inclVat": 75.3},
    "elements": [
        {"priceComponents": [{"type": "TIME", "price": 9.6, "vat": 25.5, "stepSize": 60}]},
        {"priceComponents": [{"type": "PARKING_TIME", "price": 6, "vat": 25.5, "stepSize": 300}],
         "restrictions": {"startTime": "08:00", "endTime": "20:00",
                          "dayOfWeek": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]}},
    ],
    "startDateTime": "2026-01-01T00:00:00Z",
}
_SPOT_TARIFF = {
    **_TARIFF_COMMON, "name": "Spot price", "externalId": "DEMO-SPOT", "type": "PROFILE_CHEAP",
    "tariffAltText": [{"language": "en", "text": "Nord Pool FI spot price, capped at 0.40 EUR/kWh, plus 0.05 EUR/kWh"}],
    "minPrice": {"exclVat": 0.5, "inclVat": 0.63}, "maxPrice": {"exclVat": 80, "inclVat": 100.4},
    "elements": [{"priceComponents": [{
        "type": "ENERGY_SPOT", "vat": 25.5, "stepSize": 1, "margin": 0.05, "marginPercentage": 10,
        "priceCap": 0.4, "costPercentage": 30, "biddingZone": "FI",
    }]}],
}
_INTEGRATION = {
    "integrationName": "Nordic Drive eMSP",
    "customerRoles": ["EMSP"],
    "approvedPartyId": "NOR",
    # The partner pulls what we publish; nothing is pushed to the example eMSP's endpoints.
    "models": {"pushCdr": False, "pushSession": False, "pushTariff": False, "pushLocation": False,
               "pullTokensAll": False, "pullVersionDetails": False, "pullLocation": True, "pullTariff": True,
               "pullSession": True, "pullCdr": True},
    "chargingPeriodIntervalInMinutes": 15,
    "stateOfChargeIsSent": True,
    "freeVendingWithIdtagAllowed": True,
}
# Its roaming sessions also feed the operator's billing tenant (switched off; the secret is a throwaway).
_UTILITY_CLOUD = {"tenant": "satama-billing", "clientId": "evroam-demo", "meteredValuesAreSent": True,
                  "activateConnection": False}
_PUBLISH_ALLOWED_TO = [{"uid": "04A2B3C4D5E6F7", "type": "RFID", "visualNumber": "FI-NOR-C00012345-7",
                        "issuer": "Nordic Drive eMSP", "groupId": "FI-NOR-FLEET-1"}]
