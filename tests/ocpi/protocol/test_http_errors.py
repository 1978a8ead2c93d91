"""HTTP semantics under /ocpi: a 405 says in `Allow` what the resource takes (RFC 9110 §15.5.6), a body
that is no JSON is an HTTP 400 in the OCPI envelope, a path with no endpoint a 404 that names it."""

from __future__ import annotations

import httpx
import pytest

from tests.ocpi.registration_support import pending_integration


async def test_a_method_no_route_takes_gets_405_with_every_method_the_path_takes(ocpi_client):
    for method, path, allow in [
        ("PATCH", "/ocpi/2.2.1/credentials", "DELETE, GET, POST, PUT"),
        ("DELETE", "/ocpi/2.2.1/locations", "GET"),
        ("POST", "/ocpi/2.1.1/tariffs/", "GET"),
        ("OPTIONS", "/ocpi/versions", "GET"),
    ]:
        response = await ocpi_client.request(method, path)
        assert response.status_code == 405, (method, path, response.text)
        assert response.headers["allow"] == allow, (method, path)
        body = response.json()
        assert body["status_code"] == 2000 and allow in body["status_message"]


async def test_post_credentials_when_registered_gets_405_allowing_what_a_registered_partner_may_do(ocpi_client):
    response = await ocpi_client.post("/ocpi/2.2.1/credentials", json={"token": "x"})
    assert response.status_code == 405 and response.json()["status_code"] == 2000
    assert response.headers["allow"] == "DELETE, GET, PUT"


async def test_put_and_delete_credentials_before_registration_get_405_allowing_get_and_post(app, runtime):
    _, token_a = await pending_integration(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": f"Token {token_a}"}) as client:
        for method in ("PUT", "DELETE"):
            response = await client.request(method, "/ocpi/2.2.1/credentials", json={"token": "x"})
            assert response.status_code == 405, response.text
            assert response.headers["allow"] == "GET, POST", method


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "body: is required"), (b"  \n", "body: is required"), (b"{'token': 1}", "body: is not valid JSON"),
     (b"\xff\xfe", "body: is not valid JSON"), (b"token=abc", "body: is not valid JSON")],
)
async def test_a_body_that_is_not_json_gets_400_with_2001(ocpi_client, content, problem):
    response = await ocpi_client.put("/ocpi/2.2.1/credentials", content=content,
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 2001 and body["status_message"].startswith(problem)


async def test_an_empty_body_on_post_credentials_gets_400(app, runtime):
    _, token_a = await pending_integration(runtime)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver",
                                 headers={"Authorization": f"Token {token_a}"}) as client:
        response = await client.post("/ocpi/2.2.1/credentials")
    assert response.status_code == 400 and response.json()["status_code"] == 2001, response.text


@pytest.mark.parametrize("path", ["/ocpi/2.2.1/nothing-here", "/ocpi/2.2.1/commands", "/ocpi/2.0",
                                  "/ocpi/2.2.1/locations/a/b/c/d"])
async def test_a_path_without_endpoint_gets_404_naming_it(ocpi_client, path):
    response = await ocpi_client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["status_code"] == 2000, "2003 means an unknown object (Location), not an unknown route"
    assert body["status_message"] == f"No OCPI endpoint at GET {path}"
