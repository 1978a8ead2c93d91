"""Sites, chargers and sockets as OCPI Locations: every mapping rule, both versions, the official schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
import pytest

from evroam.ocpi.fitting import Fitting, shortened
from evroam.ocpi.locations.mapping import (
    LocationSource,
    TariffLinks,
    TariffRef,
    evse_status,
    location_document,
    party_of_operator,
    place_of_site,
    ratings,
)
from tests.ocpi.factories import charger, schema_errors, site, socket, version_schema_errors

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PARTY = party_of_operator("FI", "EVR", "Test CPO", "https://cpo.example.com", None)
REGULAR = TariffRef("T-REGULAR", "REGULAR")


def source(chargers, place=None, publish=True, allowed=(), links=None) -> LocationSource:
    return LocationSource(
        location_id="6f1c1d2e-0000-4000-8000-000000000001",
        place=place if place is not None else place_of_site(site(1)),
        publish=publish,
        publish_allowed_to=list(allowed),
        chargers=chargers,
        tariffs=links or TariffLinks(),
    )


def document(*chargers, version="2.2.1", **fields):
    return location_document(source(list(chargers), **fields), PARTY, version, NOW)


def test_site_fields_become_a_2_2_1_location():
    doc = document(charger(1, 1, "CH1", sockets=1))
    assert (doc["country_code"], doc["party_id"], doc["id"]) == ("FI", "EVR", "6f1c1d2e-0000-4000-8000-000000000001")
    assert doc["publish"] is True and "publish_allowed_to" not in doc
    assert (doc["name"], doc["address"], doc["city"], doc["postal_code"], doc["country"]) == (
        "Harbour P", "Satamakatu 1", "Helsinki", "00160", "FIN",
    )
    assert doc["coordinates"] == {"latitude": "60.167000", "longitude": "24.952000"}
    assert doc["related_locations"] == [
        {"latitude": "60.167500", "longitude": "24.953000", "name": {"language": "en", "text": "Exit"}}
    ]
    assert doc["time_zone"] == "Europe/Helsinki" and doc["parking_type"] == "PARKING_GARAGE"
    assert doc["facilities"] == ["CAFE", "WIFI"] and doc["charging_when_closed"] is True
    assert doc["operator"] == {"name": "Test CPO", "website": "https://cpo.example.com"}
    assert doc["owner"] == {"name": "Harbour Parking Oy", "website": "https://harbour.example.com"}
    assert "suboperator" not in doc, "absent optional fields are omitted, never null"
    hours = doc["opening_times"]
    assert hours["twentyfourseven"] is False and hours["regular_hours"][0] == {
        "weekday": 1, "period_begin": "06:00", "period_end": "23:00",
    }
    assert hours["exceptional_closings"] == [
        {"period_begin": "2026-06-18T21:00:00Z", "period_end": "2026-06-20T00:00:00Z"}
    ], "exceptional periods are UTC with Z"
    assert doc["energy_mix"] == {
        "is_green_energy": True,
        "energy_sources": [{"source": "WIND", "percentage": 70}, {"source": "WATER", "percentage": 30}],
        "environ_impact": [{"category": "CARBON_DIOXIDE", "amount": 0}],
        "supplier_name": "Green Power Oy",
    }
    assert doc["images"] == [{"url": "https://img.example.com/site.jpg", "category": "LOCATION", "type": "jpeg",
                              "width": 800, "height": 600}]
    assert "last_updated" not in doc, "the ledger stamps last_updated"


def test_split_charger_gives_one_evse_per_socket():
    sockets = [socket(1, evse_id="FI*EVR*E1"), socket(2, status="Charging", evse_id="FI*EVR*E2")]
    doc = document(charger(1, 1, "EMABLER_Charger12345", sockets=sockets))
    assert [evse["uid"] for evse in doc["evses"]] == ["EMABLER_Charger12345-1", "EMABLER_Charger12345-2"]
    assert [evse["evse_id"] for evse in doc["evses"]] == ["FI*EVR*E1", "FI*EVR*E2"]
    assert [evse["status"] for evse in doc["evses"]] == ["AVAILABLE", "CHARGING"]
    assert all([c["id"] for c in evse["connectors"]] == ["1"] for evse in doc["evses"])
    assert doc["evses"][0]["capabilities"] == ["REMOTE_START_STOP_CAPABLE", "RFID_READER"]


def test_long_charger_ids_give_evse_uids_within_ocpis_36_characters():
    """Charger ids go to 64 characters; an EVSE uid is a CiString(36)."""
    long_id = "SITE-HELSINKI-HARBOUR-PARKING-LEVEL2-WALLBOX-07"
    split = document(charger(1, 1, long_id, sockets=2))
    whole = document(charger(1, 1, long_id, sockets=2, split_evse_by_socket=False))
    uids = [evse["uid"] for evse in split["evses"] + whole["evses"]]
    assert all(len(uid) <= 36 and uid.startswith(long_id[:27]) for uid in uids), uids
    assert len(set(uids)) == 3, "unique per EVSE"
    assert uids == [evse["uid"] for evse in document(charger(1, 1, long_id, sockets=2))["evses"]] + [uids[2]], (
        "the same in every document"
    )
    assert document(charger(1, 1, "C" * 34, sockets=1))["evses"][0]["uid"] == "C" * 34 + "-1", "36 fit as they are"
    evse = split["evses"][0]
    stamp = "2026-03-01T12:00:00.000Z"
    evse = {**evse, "last_updated": stamp, "connectors": [{**c, "last_updated": stamp} for c in evse["connectors"]]}
    assert schema_errors("locations", "EVSE", evse) == []


def test_single_socket_split_charger_falls_back_to_the_charger_evse_id():
    doc = document(charger(1, 1, "CH1", sockets=1, evse_id="FI*EVR*E9"))
    assert doc["evses"][0]["evse_id"] == "FI*EVR*E9"
    two = document(charger(1, 1, "CH2", sockets=2, evse_id="FI*EVR*E9"))
    assert all("evse_id" not in evse for evse in two["evses"]), "one EVSE id must not name two EVSEs"


def test_unsplit_charger_is_one_evse_whose_connectors_are_its_sockets():
    sockets = [socket(3, status="Charging"), socket(7, status="Available", type="IEC_62196_T2_COMBO", power_type="DC")]
    doc = document(charger(1, 1, "CH1", sockets=sockets, split_evse_by_socket=False, evse_id="FI*EVR*E1"))
    (evse,) = doc["evses"]
    assert evse["uid"] == "CH1" and evse["evse_id"] == "FI*EVR*E1"
    assert [(c["id"], c["standard"], c["power_type"]) for c in evse["connectors"]] == [
        ("3", "IEC_62196_T2", "AC_3_PHASE"), ("7", "IEC_62196_T2_COMBO", "DC"),
    ]
    assert evse["status"] == "AVAILABLE", "the most available status of its sockets"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Available", "AVAILABLE"), ("Preparing", "CHARGING"), ("Charging", "CHARGING"), ("SuspendedEV", "CHARGING"),
        ("SuspendedEVSE", "CHARGING"), ("Finishing", "CHARGING"), ("Reserved", "RESERVED"),
        ("Unavailable", "INOPERATIVE"), ("Faulted", "OUTOFORDER"),
    ],
)
def test_socket_status_maps_to_evse_status(status, expected):
    assert evse_status(True, [status]) == expected
    assert document(charger(1, 1, "CH1", sockets=[socket(1, status=status)]))["evses"][0]["status"] == expected


def test_charger_without_active_connection_is_unknown():
    assert evse_status(False, ["Available"]) == "UNKNOWN"
    doc = document(charger(1, 1, "CH1", sockets=2, active_connection=False))
    assert {evse["status"] for evse in doc["evses"]} == {"UNKNOWN"}


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["Charging", "Unavailable"], "CHARGING"),
        (["Reserved", "Faulted"], "RESERVED"),
        (["Faulted", "Unavailable"], "INOPERATIVE"),
        (["Charging", "Available"], "AVAILABLE"),
        (["Faulted", "Faulted"], "OUTOFORDER"),
    ],
)
def test_several_sockets_show_the_most_available_status(statuses, expected):
    assert evse_status(True, statuses) == expected


def test_connector_ratings_and_power():
    doc = document(charger(1, 1, "CH1", sockets=[socket(1, max_power=Decimal("11.5"), max_voltage=230, max_amperage=16)]))
    connector = doc["evses"][0]["connectors"][0]
    assert (connector["max_voltage"], connector["max_amperage"], connector["max_electric_power"]) == (230, 16, 11500)
    assert ratings("AC_3_PHASE", None, None, Decimal("22")) == (230, 32), "amperage from power over three phases"
    assert ratings("AC_1_PHASE", None, None, Decimal("7.4")) == (230, 32)
    assert ratings("DC", None, None, Decimal("50")) == (400, 125)
    assert ratings("DC", 800, None, None) == (800, 125)
    assert ratings("AC_1_PHASE", None, None, None) == (230, 16)
    bare = document(charger(1, 1, "CH1", sockets=[socket(1, max_power=None, max_voltage=None, max_amperage=None)]))
    assert "max_electric_power" not in bare["evses"][0]["connectors"][0]


def test_tariff_ids_come_from_the_most_specific_link():
    location, charger_level, socket_level = TariffRef("T-LOC", None), TariffRef("T-CH", None), TariffRef("T-SO", None)
    links = TariffLinks({
        (None, None): (location,),
        ("CH1", None): (charger_level,),
        ("CH1", 2): (socket_level, TariffRef("T-SO-ADHOC", "AD_HOC_PAYMENT")),
    })
    doc = document(charger(1, 1, "CH1", sockets=3), charger(1, 1, "CH2", sockets=1), links=links)
    by_uid = {evse["uid"]: evse["connectors"][0].get("tariff_ids") for evse in doc["evses"]}
    assert by_uid == {
        "CH1-1": ["T-CH"], "CH1-2": ["T-SO", "T-SO-ADHOC"], "CH1-3": ["T-CH"], "CH2-1": ["T-LOC"],
    }
    unlinked = document(charger(1, 1, "CH1", sockets=1))
    assert "tariff_ids" not in unlinked["evses"][0]["connectors"][0]


def test_unpublished_location_names_who_may_see_it():
    allowed = [{"uid": "04A1", "type": "RFID", "visualNumber": None}, {"groupId": "fleet-7"}]
    doc = document(charger(1, 1, "CH1", sockets=1), publish=False, allowed=allowed)
    assert doc["publish"] is False
    assert doc["publish_allowed_to"] == [{"uid": "04A1", "type": "RFID"}, {"group_id": "fleet-7"}]


def test_standalone_location_and_charger_without_sockets():
    place = {
        "name": "Kiosk", "address": "Kauppatori 1", "city": "Helsinki", "country": "FIN",
        "coordinates": {"latitude": 60.1675, "longitude": "-24.9"}, "timezone": "Europe/Helsinki",
        "parkingType": "OTHER",
    }
    doc = document(charger(1, 1, "CH1", sockets=0), place=place)
    assert doc["coordinates"] == {"latitude": "60.167500", "longitude": "-24.900000"}
    assert doc["evses"] == [], "an EVSE needs a connector"
    assert "parking_type" not in doc, "OTHER is no 2.2.1 ParkingType"
    assert "postal_code" not in doc and "state" not in doc


def test_2_1_1_shape():
    sockets = [socket(1, status="Reserved")]
    tariffs = TariffLinks({(None, None): (TariffRef("T-ADHOC", "AD_HOC_PAYMENT"), REGULAR)})
    place = {
        **place_of_site(site(1, street_address="Pohjoisesplanadi 11-13, sisäpiha, rappu B, kerros 3 vasemmalla",
                             parking_type="ON_DRIVEWAY", facilities=["CAFE", "METRO_STATION"], state="Uusimaa")),
    }
    doc = document(
        charger(1, 1, "CH1", sockets=sockets, capabilities=["RFID_READER", "CONTACTLESS_CARD_SUPPORT"]),
        place=place, links=tariffs, version="2.1.1",
    )
    assert "country_code" not in doc and "party_id" not in doc and "publish" not in doc and "state" not in doc
    assert "parking_type" not in doc
    assert doc["type"] == "OTHER", "ON_DRIVEWAY has no 2.1.1 LocationType"
    assert doc["address"] == "Pohjoisesplanadi 11-13, sisapiha, rappu B", "cut to 45 at a word boundary"
    assert doc["facilities"] == ["CAFE"]
    assert doc["opening_times"]["regular_hours"] and "twentyfourseven" not in doc["opening_times"]
    assert doc["energy_mix"]["environ_impact"] == [{"source": "CARBON_DIOXIDE", "amount": 0}]
    (evse,) = doc["evses"]
    assert evse["status"] == "RESERVED" and evse["capabilities"] == ["RFID_READER"]
    connector = evse["connectors"][0]
    assert (connector["voltage"], connector["amperage"], connector["tariff_id"]) == (230, 32, "T-REGULAR")
    assert "max_voltage" not in connector and "tariff_ids" not in connector and "max_electric_power" not in connector


def test_2_1_1_location_type_defaults_to_unknown_and_hours_choice():
    place = {**place_of_site(site(1, parking_type=None, opening_times={"twentyfourseven": True}))}
    doc = document(charger(1, 1, "CH1", sockets=1), place=place, version="2.1.1")
    assert doc["type"] == "UNKNOWN"
    assert doc["opening_times"] == {"twentyfourseven": True}


def test_2_1_1_picks_the_regular_tariff_valid_now():
    expired = TariffRef("T-OLD", "REGULAR", end_date_time=NOW - timedelta(days=1))
    current = TariffRef("T-NEW", None, start_date_time=NOW - timedelta(days=1))
    links = TariffLinks({(None, None): (expired, current)})
    doc = document(charger(1, 1, "CH1", sockets=1), links=links, version="2.1.1")
    assert doc["evses"][0]["connectors"][0]["tariff_id"] == "T-NEW"
    only_adhoc = TariffLinks({(None, None): (TariffRef("T-ADHOC", "AD_HOC_PAYMENT"),)})
    doc = document(charger(1, 1, "CH1", sockets=1), links=only_adhoc, version="2.1.1")
    assert "tariff_id" not in doc["evses"][0]["connectors"][0]


def test_2_2_1_documents_match_the_official_schema():
    links = TariffLinks({(None, None): (REGULAR,)})
    doc = document(
        charger(1, 1, "CH1", sockets=2, evse_id="FI*EVR*E1"),
        charger(1, 1, "CH2", sockets=2, split_evse_by_socket=False, active_connection=False),
        links=links, publish=False, allowed=[{"uid": "04A1", "type": "RFID"}],
    )
    stamp = "2026-03-01T12:00:00.000Z"
    for evse in doc["evses"]:
        evse["last_updated"] = stamp
        for connector in evse["connectors"]:
            connector["last_updated"] = stamp
    doc["last_updated"] = stamp
    assert schema_errors("locations", "Location", doc) == []
    assert schema_errors("locations", "EVSE", doc["evses"][0]) == []
    assert schema_errors("locations", "Connector", doc["evses"][0]["connectors"][0]) == []


def test_2_1_1_documents_are_ascii_only_and_2_2_1_keeps_utf8():
    place = {**place_of_site(site(1)), "name": "Pääsatama Straße", "city": "Jyväskylä",
             "address": "Østre Ålandsgade 1"}
    v211 = document(charger(1, 1, "CH1", sockets=1), version="2.1.1", place=place)
    assert (v211["name"], v211["city"], v211["address"]) == ("Paasatama Strasse", "Jyvaskyla", "Ostre Alandsgade 1")
    assert orjson.dumps(v211).isascii()
    v221 = document(charger(1, 1, "CH1", sockets=1), place=place)
    assert (v221["name"], v221["city"]) == ("Pääsatama Straße", "Jyväskylä")


def test_restricted_location_is_withheld_from_2_1_1_which_cannot_say_who_may_see_it():
    for allowed in ([], [{"groupId": "FLEET-1"}]):
        fitting = Fitting("2.1.1")
        withheld = location_document(source([charger(1, 1, "CH1", sockets=1)], publish=False, allowed=allowed),
                                     PARTY, "2.1.1", NOW, fitting)
        assert withheld is None
        assert [(w.field, w.version) for w in fitting.warnings] == [("publish", "2.1.1")]
        assert document(charger(1, 1, "CH1", sockets=1), publish=False, allowed=allowed)["publish"] is False


def test_texts_over_the_version_limits_are_cut_and_reported():
    place = {**place_of_site(site(1, street_address="Pohjoisesplanadi 11-13, sisäpiha, rappu B, kerros 3 vasemmalla",
                                  state="Pohjois-Pohjanmaan maakunta", city="Großweißenbrunn Straße Œuvre ßßßßßßß")),
             "directions": [{"language": "fi", "text": "ß" * 300}]}
    for version in ("2.2.1", "2.1.1"):
        fitting = Fitting(version)
        doc = location_document(source([charger(1, 1, "CH1", sockets=1)], place=place), PARTY, version, NOW, fitting)
        assert doc["address"] == ("Pohjoisesplanadi 11-13, sisäpiha, rappu B" if version == "2.2.1"
                                  else "Pohjoisesplanadi 11-13, sisapiha, rappu B")
        reported = {warning.field: warning for warning in fitting.warnings}
        assert reported["address"].limit == 45 and reported["address"].sent == doc["address"]
        assert reported["address"].version == version and "62 were given" in reported["address"].message
        if version == "2.2.1":
            assert doc["state"] == "Pohjois-Pohjanmaan" and reported["state"].limit == 20
            assert doc["city"] == place["city"] and "city" not in reported, "45 characters fit"
            assert doc["directions"][0]["text"] == "ß" * 300 and len(reported) == 2
        else:
            # Transliterated, the city (35 characters) and the directions (300) grow past 45 and 512.
            assert doc["city"] == "Grossweissenbrunn Strasse OEuvre" and reported["city"].sent == doc["city"]
            assert doc["directions"][0]["text"] == "s" * 512
            assert reported["directions[0].text"].limit == 512
        assert version_schema_errors(version, "Location", stamped(doc)) == []


def test_2_1_1_leaves_out_connectors_it_has_no_words_for_and_requires_a_postal_code():
    sockets = [socket(1, type="NEMA_5_20"), socket(2, power_type="AC_2_PHASE_SPLIT"), socket(3)]
    unsplit = charger(1, 1, "CH1", sockets=sockets, split_evse_by_socket=False)
    only_nema = charger(1, 1, "CH2", sockets=[socket(1, type="GBT_AC")])
    fitting = Fitting("2.1.1")
    doc = location_document(source([unsplit, only_nema], place={**place_of_site(site(1)), "postalCode": None}),
                            PARTY, "2.1.1", NOW, fitting)
    assert [(evse["uid"], [c["id"] for c in evse["connectors"]]) for evse in doc["evses"]] == [("CH1", ["3"])]
    assert doc["postal_code"] == ""
    assert [w.field for w in fitting.warnings] == [
        "evses[CH1].connectors[1].standard", "evses[CH1].connectors[2].power_type",
        "evses[CH2-1].connectors[1].standard", "postal_code",
    ]
    assert version_schema_errors("2.1.1", "Location", stamped(doc)) == []
    full = document(unsplit, only_nema)
    assert len(full["evses"]) == 2 and len(full["evses"][0]["connectors"]) == 3, "2.2.1 knows them all"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short", 45, "Short"),
        ("Pohjoisesplanadi 11–13, sisäpiha, rappu B, kerros", 45, "Pohjoisesplanadi 11–13, sisäpiha, rappu B"),
        ("x" * 50, 45, "x" * 45),
        ("Short words then averyveryverylongwordthatdoesnotfit", 20, "Short words then"),
        ("Short averyveryverylongwordthatdoesnotfit", 20, "Short averyveryveryl"),
        # A cut never separates a letter from its combining accent: "e" + U+0301 stays together or goes.
        ("abcde\u0301fgh", 5, "abcd"),
        ("a, b, c, d", 8, "a, b, c"),
    ],
)
def test_shortened(text, limit, expected):
    assert shortened(text, limit) == expected and len(expected) <= limit


def stamped(doc):
    """The document as the ledger stores it (with its last_updated stamps)."""
    stamp = "2026-03-01T12:00:00.000Z"
    return {**doc, "last_updated": stamp, "evses": [
        {**evse, "last_updated": stamp, "connectors": [{**c, "last_updated": stamp} for c in evse["connectors"]]}
        for evse in doc["evses"]]}
