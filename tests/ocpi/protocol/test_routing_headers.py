"""OCPI-from/to routing headers on our answers (ocpi-notes §2.5): FROM names the party we are towards the
calling partner (its integration's operator), never a value copied from the request; a request addressed
to another party gets 4001 and no data; malformed values get 2001 naming the header."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from evroam.network.operators.models import Operator
from tests.ocpi.factories import publish_site
from tests.support.ocpi_partner import RegisteredPartner, register_partner

# The partner registered by tests/support/ocpi_partner.py, and our default operator (tests/conftest.py).
PARTNER = {"OCPI-from-country-code": "NL", "OCPI-from-party-id": "EMS"}
US = {"OCPI-to-country-code": "FI", "OCPI-to-party-id": "EVR"}
ROUTING = ("ocpi-from-country-code", "ocpi-from-party-id", "ocpi-to-country-code", "ocpi-to-party-id")


def routing(response: httpx.Response) -> tuple[str | None, ...]:
    return tuple(response.headers.get(name) for name in ROUTING)


async def test_an_answer_comes_from_us_to_the_requesting_party(ocpi_client):
    response = await ocpi_client.get("/ocpi/2.2.1/locations", headers={**PARTNER, **US})
    assert response.status_code == 200 and response.json()["status_code"] == 1000, response.text
    assert routing(response) == ("FI", "EVR", "NL", "EMS")


async def test_a_party_behind_the_partner_gets_the_answer_addressed_to_it(ocpi_client):
    behind_a_hub = {"OCPI-from-country-code": "de", "OCPI-from-party-id": "abc"}
    response = await ocpi_client.get("/ocpi/2.2.1/tariffs", headers={**behind_a_hub, **US})
    assert response.json()["status_code"] == 1000, response.text
    assert routing(response) == ("FI", "EVR", "DE", "ABC")


async def test_without_routing_headers_the_answer_names_us_and_the_registered_party(ocpi_client):
    response = await ocpi_client.get("/ocpi/2.2.1/locations")
    assert response.json()["status_code"] == 1000, response.text
    assert routing(response) == ("FI", "EVR", "NL", "EMS")


async def test_the_addressee_is_compared_case_insensitively(ocpi_client):
    response = await ocpi_client.get(
        "/ocpi/2.2.1/locations", headers={"OCPI-to-country-code": "fi", "OCPI-to-party-id": "evr"}
    )
    assert response.json()["status_code"] == 1000, response.text


async def test_a_request_to_a_party_we_do_not_host_gets_4001_and_no_data(ocpi_client, runtime, partner):
    network = await publish_site(runtime, partner.integration_id, chargers=1, sockets=1)
    elsewhere = {**PARTNER, "OCPI-to-country-code": "DE", "OCPI-to-party-id": "XYZ"}
    for path in ("/ocpi/2.2.1/locations", f"/ocpi/2.2.1/locations/{network.location_id}", "/ocpi/2.2.1/tariffs"):
        response = await ocpi_client.get(path, headers=elsewhere)
        body = response.json()
        assert response.status_code == 200 and body["status_code"] == 4001, (path, response.text)
        assert "data" not in body and "DE/XYZ" in body["status_message"]
        assert routing(response) == ("FI", "EVR", "NL", "EMS"), "the refusal names who refused, not DE/XYZ"
        assert "x-total-count" not in response.headers


async def test_each_operator_answers_as_itself_and_only_for_itself(app, runtime):
    async with runtime.sessions() as session:
        other = await session.scalar(select(Operator.id).where(Operator.party_id == "OTH"))
    theirs = await register_partner(runtime, operator_id=other)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": theirs.authorization}) as client:
        to_them = {"OCPI-to-country-code": "SE", "OCPI-to-party-id": "OTH"}
        ours = await client.get("/ocpi/2.2.1/locations", headers=to_them)
        assert ours.json()["status_code"] == 1000 and routing(ours) == ("SE", "OTH", "NL", "EMS")
        # FI/EVR is hosted here, but not for this partner: its token reaches SE/OTH only.
        sibling = await client.get("/ocpi/2.2.1/locations", headers=US)
        assert sibling.json()["status_code"] == 4001 and "data" not in sibling.json()


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("OCPI-to-country-code", "F"),
        ("OCPI-to-country-code", "FIN"),
        ("OCPI-to-party-id", "EVRX"),
        ("OCPI-to-party-id", ""),
        ("OCPI-from-country-code", "N\u00e9".encode("latin-1")),
        ("OCPI-from-party-id", "E\tS"),
    ],
)
async def test_a_malformed_routing_header_gets_2001_naming_it(ocpi_client, header, value):
    headers = {**PARTNER, **US, header: value}
    response = await ocpi_client.get("/ocpi/2.2.1/locations", headers=headers)
    body = response.json()
    assert response.status_code == 200 and body["status_code"] == 2001, response.text
    assert body["status_message"].startswith(f"{header}: must be"), body["status_message"]
    assert "data" not in body
    assert routing(response)[:2] == ("FI", "EVR")
    sent = value.decode("latin-1") if isinstance(value, bytes) else value
    assert sent not in routing(response)[2:], "a malformed value is never echoed"


async def test_half_an_address_gets_2001_naming_the_missing_header(ocpi_client):
    response = await ocpi_client.get("/ocpi/2.2.1/locations", headers={"OCPI-to-country-code": "FI"})
    assert response.json()["status_code"] == 2001
    assert response.json()["status_message"] == "OCPI-to-party-id: is required with OCPI-to-country-code"


async def test_configuration_modules_and_211_carry_no_routing_headers(ocpi_client, runtime):
    headers = {**PARTNER, "OCPI-to-country-code": "DE", "OCPI-to-party-id": "XYZ"}
    for path in ("/ocpi/2.2.1/credentials", "/ocpi/2.2.1", "/ocpi/versions"):
        response = await ocpi_client.get(path, headers=headers)
        assert response.json()["status_code"] == 1000, (path, response.text)
        assert routing(response) == (None,) * 4, path
    v211: RegisteredPartner = await register_partner(runtime, version="2.1.1")
    response = await ocpi_client.get("/ocpi/2.1.1/locations",
                                     headers={**headers, "Authorization": v211.authorization})
    assert response.json()["status_code"] == 1000, "2.1.1 has no routing headers: they are not read"
    assert routing(response) == (None,) * 4


async def test_an_unknown_token_gets_401_without_claiming_a_party(ocpi_client):
    response = await ocpi_client.get("/ocpi/2.2.1/locations", headers={**US, "Authorization": "Token nope"})
    assert response.status_code == 401
    assert routing(response) == (None,) * 4
