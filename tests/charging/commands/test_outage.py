"""The eMSP is down when the charger side answers: the result waits in the outbox and is POSTed again
until the eMSP takes it, then never again."""

from __future__ import annotations

from tests.charging.commands.conftest import Network
from tests.integrations.factories import ok


async def test_a_result_outlives_an_outage(network: Network) -> None:
    uid, connector_id = network.evses[0]
    sent = await network.sender.start_session(network.location_id, uid, connector_id)
    command = await network.only_pending()
    network.emsp.fail(1, http_status=500)
    network.emsp.fail(1, http_status=503, retry_after=1)
    network.emsp.fail(1, http_status=500)
    ok(await network.answer(command["commandId"], "ACCEPTED"))
    await network.deliver()

    posts = network.emsp.results(sent.name)
    assert [post.answered for post in posts] == [500, 503, 500, 200], "retried while the eMSP failed, then no more"
    assert not network.emsp.failures, "every scripted failure was met"
    for post in posts:
        network.assert_sent_as_ours(post)
        network.assert_told(post.body, "ACCEPTED")
    assert len(network.emsp.taken(sent.name)) == 1
