"""An aiogram session that hands each request to a ``FakeTelegram`` in the same process.

No HTTP and no server: the request's parameters are prepared exactly as aiogram's
``AiohttpSession`` prepares its form (nested objects as JSON text, files as uploads), answered
by the same code that answers the HTTP route (call log, planned faults and delays included),
and the answer goes through aiogram's own ``check_response``, so a 400, 403 or 429 with
``retry_after`` becomes the same aiogram exception it would over the network.

Only a network failure has no server to come from: :meth:`DirectSession.fail_network_next`
makes the next calls of a method fail before they reach the fake.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from .params import RequestParams, UploadedFile

if TYPE_CHECKING:
    from aiogram import Bot

    from .server import FakeTelegram

UPLOAD_CONTENT_TYPE = "application/octet-stream"


class DirectSession(BaseSession):
    def __init__(self, telegram: FakeTelegram) -> None:
        super().__init__()
        self.telegram = telegram
        self._network_failures: dict[str, int] = {}

    def fail_network_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` never reach Telegram (a connection error)."""
        self._network_failures[method.lower()] = times

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        name = method.__api_method__
        if self._network_failures.get(name.lower(), 0) > 0:
            self._network_failures[name.lower()] -= 1
            raise TelegramNetworkError(method=method, message="Cannot connect to host")
        params = await self._params(bot, method)
        status, body = await self.telegram.routes.call(name, params, bot.token)
        if body is None:
            raise TelegramNetworkError(method=method, message="Request timeout error")
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(body)
        )
        return cast(TelegramType, response.result)

    async def _params(self, bot: Bot, method: TelegramMethod[Any]) -> RequestParams:
        """The request as ``AiohttpSession.build_form_data`` would send it."""
        files: dict[str, InputFile] = {}
        values: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                values[key] = prepared
        uploads = {}
        for key, upload in files.items():
            content = b"".join([chunk async for chunk in upload.read(bot)])
            uploads[key] = UploadedFile(key, upload.filename or key, UPLOAD_CONTENT_TYPE, content)
        return RequestParams(values, uploads)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """A file download: ``.../file/bot<token>/<file_path>`` read from the fake's files."""
        path = url.split("/file/bot", 1)[-1].split("/", 1)[-1]
        stored = next(
            (file for file in self.telegram.world.files.values() if file.file_path == path), None
        )
        if stored is None:
            raise FileNotFoundError(f"the fake Telegram server has no file {path!r}")
        for start in range(0, len(stored.content), chunk_size):
            yield stored.content[start : start + chunk_size]

    async def close(self) -> None:
        """Nothing to close: no connection was opened."""
