"""The HTTP SMS gateway against a real local HTTP server: what it sends, and its faults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.services.sms import HttpSmsGateway, SmsDeliveryError


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Provider:
    url: str
    requests: list[Received] = field(default_factory=list)
    status: int = 200


@pytest.fixture
async def provider() -> AsyncIterator[Provider]:
    app = web.Application()
    runner = web.AppRunner(app)
    state = Provider(url="")

    async def receive(request: web.Request) -> web.Response:
        state.requests.append(
            Received(request.method, request.path_qs, dict(request.headers), await request.read())
        )
        return web.json_response({"id": "sms-1"}, status=state.status)

    app.router.add_route("*", "/{tail:.*}", receive)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.url = f"http://{host}:{port}/api/v1/sms?account=support"
    yield state
    await runner.cleanup()


async def test_posts_the_number_and_text_as_json_with_the_bearer_token(
    provider: Provider,
) -> None:
    gateway = HttpSmsGateway(provider.url, "s3cret-token")
    try:
        await gateway.send("+79123456789", "Код подтверждения номера: 123456")
    finally:
        await gateway.close()
    [request] = provider.requests
    assert request.method == "POST"
    assert request.path == "/api/v1/sms?account=support"
    assert request.headers["Authorization"] == "Bearer s3cret-token"
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.body) == {
        "to": "+79123456789",
        "text": "Код подтверждения номера: 123456",
    }


async def test_without_a_token_no_authorization_header_is_sent(provider: Provider) -> None:
    gateway = HttpSmsGateway(provider.url, None)
    try:
        await gateway.send("+79123456789", "Код")
    finally:
        await gateway.close()
    [request] = provider.requests
    assert "Authorization" not in request.headers


@pytest.mark.parametrize("status", [400, 401, 500, 503])
async def test_a_refusal_is_a_delivery_error(provider: Provider, status: int) -> None:
    provider.status = status
    gateway = HttpSmsGateway(provider.url, "token")
    try:
        with pytest.raises(SmsDeliveryError, match=f"HTTP {status}"):
            await gateway.send("+79123456789", "Код")
    finally:
        await gateway.close()
    assert len(provider.requests) == 1


async def test_an_unreachable_provider_is_a_delivery_error(provider: Provider) -> None:
    gateway = HttpSmsGateway("http://127.0.0.1:9/sms", "token")  # nothing listens on port 9
    try:
        with pytest.raises(SmsDeliveryError, match="unreachable"):
            await gateway.send("+79123456789", "Код")
    finally:
        await gateway.close()
