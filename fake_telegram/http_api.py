"""The Bot API over HTTP: ``/bot<token>/<method>`` and file downloads, as Telegram serves them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import errors
from .bot_api import BotApi
from .calls import ApiCallLog
from .faults import FaultPlan
from .limits import NetworkLatency
from .params import RequestParams
from .world import World

LONG_POLL_METHOD = "getupdates"
CLIENT_GONE = 499  # nginx's code for a request whose client closed the connection

logger = logging.getLogger(__name__)


class BotApiRoutes:
    def __init__(
        self,
        token: str,
        api: BotApi,
        faults: FaultPlan,
        call_log: ApiCallLog,
        world: World,
        latency: NetworkLatency | None = None,
    ) -> None:
        self.latency = latency or NetworkLatency()
        self.token = token
        self.api = api
        self.faults = faults
        self.call_log = call_log
        self.world = world

    def register(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.handle_file_download)

    async def handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await RequestParams.from_request(request)
        except errors.TelegramApiError as error:
            return web.json_response(error.response_body(), status=error.error_code)

        def still_connected() -> bool:
            transport = request.transport
            return transport is not None and not transport.is_closing()

        status, body = await self.call(
            method, params, request.match_info["token"], still_connected=still_connected
        )
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    async def call(
        self,
        method: str,
        params: RequestParams,
        token: str,
        *,
        still_connected: Callable[[], bool] = lambda: True,
    ) -> tuple[int, dict[str, Any] | None]:
        """Answer one Bot API call: the HTTP status and the JSON body (None: nobody to answer).

        Shared by the HTTP route and ``DirectSession``, so that a call made in process is
        logged, delayed and failed by plan exactly as one made over HTTP.
        """
        call = self.call_log.start(self.api.canonical_name(method), params.for_log())
        if self.latency.seconds:
            await asyncio.sleep(self.latency.one_way)  # on the way to Telegram
        try:
            if token != self.token:
                raise errors.unauthorized()
            handler = self.api.handler_for(method)
            if not await self._planned_delay_passed(method, params, still_connected):
                # The bot went away (it was killed) while its request was on the way: the
                # request never reached Telegram, so nothing happens.
                self.call_log.finish(
                    call, CLIENT_GONE, description="the bot disconnected during a planned delay"
                )
                return CLIENT_GONE, None
            self._raise_planned_fault(method, params)
            result = await handler(params)
        except errors.TelegramApiError as error:
            self.call_log.finish(call, error.error_code, description=error.description)
            return await self._answer(error.error_code, error.response_body())
        except Exception as error:
            # A bug of the fake itself: answered in Telegram's shape so the bot's test fails with
            # the reason (as TelegramServerError) instead of an undecodable response.
            logger.exception("the fake Telegram server failed on %s", method)
            failure = errors.TelegramApiError(
                500, f"Internal Server Error: fake server bug: {error!r}"
            )
            self.call_log.finish(call, 500, description=failure.description)
            return 500, failure.response_body()
        self.call_log.finish(call, 200, result=result)
        return await self._answer(200, {"ok": True, "result": result})

    async def _answer(self, status: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.latency.seconds:
            await asyncio.sleep(self.latency.one_way)  # on the way back
        return status, body

    async def _planned_delay_passed(
        self, method: str, params: RequestParams, still_connected: Callable[[], bool]
    ) -> bool:
        """Wait for a planned delay, if any; whether the bot is still there to be answered."""
        delay = self.faults.take_delay(
            method, params.raw("chat_id"), wildcard_applies=method.lower() != LONG_POLL_METHOD
        )
        if delay is None:
            return True
        await asyncio.sleep(delay)
        return still_connected()

    def _raise_planned_fault(self, method: str, params: RequestParams) -> None:
        # A wildcard fault is meant for the bot's reactions, not for its idle polling.
        fault = self.faults.take(
            method,
            params.raw("chat_id"),
            wildcard_applies=method.lower() != LONG_POLL_METHOD,
        )
        if fault is not None:
            raise fault

    async def handle_file_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(errors.unauthorized().response_body(), status=401)
        path = request.match_info["path"]
        stored = next((file for file in self.world.files.values() if file.file_path == path), None)
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )
