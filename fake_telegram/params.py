"""Reading Bot API request parameters the way Telegram reads them.

Telegram accepts a query string, ``application/x-www-form-urlencoded``, ``multipart/form-data``
or a JSON body. In form encodings every value is a string and nested objects arrive as JSON text;
files arrive as multipart parts, referenced either by the parameter's own name or by an
``attach://<part name>`` value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import errors

ATTACH_PREFIX = "attach://"
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})
INTEGER_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)")


@dataclass(frozen=True)
class UploadedFile:
    part_name: str
    filename: str
    content_type: str
    content: bytes


class RequestParams:
    def __init__(self, values: dict[str, Any], uploads: dict[str, UploadedFile]) -> None:
        self._values = values
        self._uploads = uploads

    @classmethod
    async def from_request(cls, request: web.Request) -> RequestParams:
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, UploadedFile] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise errors.bad_request("JSON object expected")
                values.update(body)
            else:
                form = await request.post()
                values.update(cls._split_form(form, uploads))
        return cls(values, uploads)

    @staticmethod
    def _split_form(form: Mapping[str, Any], uploads: dict[str, UploadedFile]) -> dict[str, Any]:
        values = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                uploads[name] = UploadedFile(
                    part_name=name,
                    filename=value.filename or name,
                    content_type=value.content_type,
                    content=value.file.read(),
                )
            else:
                values[name] = value
        return values

    def has(self, name: str) -> bool:
        return self.raw(name) is not None or name in self._uploads

    def raw(self, name: str) -> Any:
        value = self._values.get(name)
        return None if value == "" else value

    def string(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise errors.bad_request(f'field "{name}" must be of type Integer') from None

    def boolean(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise errors.bad_request(f'field "{name}" must be of type Boolean')

    def json(self, name: str, description: str | None = None) -> Any:
        """A nested object or array; ``description`` names it in Telegram's parse error."""
        value = self.raw(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise errors.bad_request(f"can't parse {description or name} JSON object") from None

    def file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload, or a file_id/URL string."""
        if name in self._uploads:
            return self._uploads[name]
        value = self.string(name)
        if value is not None and value.startswith(ATTACH_PREFIX):
            return self.attachment(value)
        return value

    def attachment(self, reference: str) -> UploadedFile:
        upload = self._uploads.get(reference.removeprefix(ATTACH_PREFIX))
        if upload is None:
            raise errors.bad_request(f"file {reference} not found")
        return upload

    def for_log(self) -> dict[str, Any]:
        """The parameters for reading back in tests.

        Nested objects and arrays are decoded and integers become ``int``; other text stays as
        the bot sent it, so that a message text such as ``"007"`` or ``"true"`` is not altered.
        """
        logged: dict[str, Any] = {}
        for name, value in self._values.items():
            logged[name] = decode_for_log(value)
        for name, upload in self._uploads.items():
            logged[name] = f"<upload {upload.filename}, {len(upload.content)} bytes>"
        return logged


def decode_for_log(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if INTEGER_TEXT.fullmatch(value):
        return int(value)
    if value[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
