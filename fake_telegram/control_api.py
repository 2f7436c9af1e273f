"""A JSON control API under ``/_fake/``, so that another process can play the users.

It mirrors the in-process driver: ``POST /_fake/<action>`` with a JSON object of arguments,
where users, chats and messages are given by their ids. Read-back is under ``GET /_fake/...``.
Driver errors come back as ``{"error": ...}`` with 400 (bad request), 404 (unknown object) or
408 (a wait timed out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import DEFAULT_PRIVATE_CHAT_BURST
from .world import MemberStatus, StoredMessage

if TYPE_CHECKING:
    from .server import FakeTelegram

Action = Callable[[dict[str, Any]], Awaitable[Any]]


def message_view(message: StoredMessage) -> dict[str, Any]:
    """A message as the bot sees it, plus what only a test can see."""
    return {
        **message.to_api(),
        "reply_markup": message.reply_markup,
        "html": message.html,
        "deleted": message.deleted,
        "edit_count": len(message.edits),
    }


class ControlApiRoutes:
    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.actions: dict[str, Action] = {
            "users": self.add_user,
            "groups": self.add_group,
            "topics": self.add_topic,
            "send_text": self.send_text,
            "send_command": self.send_command,
            "send_contact": self.send_contact,
            "send_photo": self.send_photo,
            "send_document": self.send_document,
            "send_sticker": self.send_sticker,
            "edit_text": self.edit_text,
            "press_button": self.press_button,
            "press_keyboard_button": self.press_keyboard_button,
            "block_bot": self.block_bot,
            "unblock_bot": self.unblock_bot,
            "updates": self.inject_update,
            "redeliver": self.redeliver_update,
            "fail_next": self.fail_next,
            "delay_next": self.delay_next,
            "flood_limit": self.set_flood_limit,
            "send_limits": self.set_send_limits,
            "latency": self.set_latency,
            "wait_for_bot_messages": self.wait_for_bot_messages,
            "wait_until_quiet": self.wait_until_quiet,
        }

    def register(self, app: web.Application) -> None:
        app.router.add_post("/_fake/{action}", self.handle_action)
        app.router.add_get("/_fake/chats/{chat_id}/messages", self.handle_messages)
        app.router.add_get("/_fake/calls", self.handle_calls)
        app.router.add_get("/_fake/callback_answers", self.handle_callback_answers)
        app.router.add_get("/_fake/webhook", self.handle_webhook)

    async def handle_action(self, request: web.Request) -> web.Response:
        action = self.actions.get(request.match_info["action"])
        if action is None:
            known = ", ".join(sorted(self.actions))
            return web.json_response({"error": f"unknown action; known: {known}"}, status=404)
        try:
            body = await request.json() if request.can_read_body else {}
            return web.json_response({"result": await action(body)})
        except TimeoutError as error:
            return web.json_response({"error": str(error)}, status=408)
        except KeyError as error:
            return web.json_response({"error": f"missing argument {error}"}, status=400)
        except LookupError as error:
            return web.json_response({"error": str(error)}, status=404)
        except (ValueError, TypeError) as error:
            return web.json_response({"error": str(error)}, status=400)

    async def handle_messages(self, request: web.Request) -> web.Response:
        try:
            messages = self.fake.messages(int(request.match_info["chat_id"]))
        except (LookupError, ValueError) as error:
            return web.json_response({"error": str(error)}, status=404)
        return web.json_response({"result": [message_view(message) for message in messages]})

    async def handle_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        calls = self.fake.calls_to(method) if method else self.fake.calls
        return web.json_response(
            {
                "result": [
                    {
                        "method": call.method,
                        "params": call.params,
                        "status": call.status,
                        "description": call.description,
                    }
                    for call in calls
                ]
            }
        )

    async def handle_callback_answers(self, request: web.Request) -> web.Response:
        answers = [
            {"query_id": answer.query_id, "text": answer.text, "show_alert": answer.show_alert}
            for answer in self.fake.callback_answers
        ]
        return web.json_response({"result": answers})

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """``getWebhookInfo`` plus the log of delivery attempts (``?update_id=`` for one)."""
        update_id = request.query.get("update_id")
        attempts = (
            self.fake.webhook_attempts
            if update_id is None
            else self.fake.webhook_attempts_for(int(update_id))
        )
        return web.json_response(
            {
                "result": {
                    "info": self.fake.webhook_info(),
                    "attempts": [
                        {
                            "update_id": attempt.update_id,
                            "url": attempt.url,
                            "status": attempt.status,
                            "error": attempt.error,
                            "delivered": attempt.delivered,
                        }
                        for attempt in attempts
                    ],
                }
            }
        )

    # Actions: JSON arguments in, JSON result out

    async def add_user(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.fake.add_user(**body).to_api()

    async def add_group(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self.fake.user
        group = self.fake.add_group(
            body["title"],
            forum=body.get("forum", False),
            members=[user(user_id) for user_id in body.get("member_ids", [])],
            admins=[user(user_id) for user_id in body.get("admin_ids", [])],
            owner=user(body["owner_id"]) if "owner_id" in body else None,
            bot_status=MemberStatus(body.get("bot_status", MemberStatus.ADMINISTRATOR)),
            supergroup=body.get("supergroup", True),
            username=body.get("username"),
        )
        return group.to_api()

    async def add_topic(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.fake.add_topic(body["chat_id"], body["name"]).to_api()

    async def send_text(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_text(
            body["user_id"],
            body["text"],
            body.get("chat_id"),
            reply_to=self._optional_message(body, "reply_to_message_id"),
            thread_id=body.get("thread_id"),
        )
        return message.to_api()

    async def send_command(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_command(
            body["user_id"], body["command"], body.get("args"), body.get("chat_id")
        )
        return message.to_api()

    async def send_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_contact(
            body["user_id"],
            body["phone"],
            body.get("contact_user_id"),
            first_name=body.get("first_name"),
            last_name=body.get("last_name"),
            chat=body.get("chat_id"),
        )
        return message.to_api()

    async def send_photo(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_photo(
            body["user_id"], body.get("caption"), body.get("chat_id")
        )
        return message.to_api()

    async def send_document(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_document(
            body["user_id"],
            body.get("file_name", "document.pdf"),
            caption=body.get("caption"),
            chat=body.get("chat_id"),
        )
        return message.to_api()

    async def send_sticker(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.send_sticker(
            body["user_id"], body.get("emoji", "👍"), body.get("chat_id")
        )
        return message.to_api()

    async def edit_text(self, body: dict[str, Any]) -> dict[str, Any]:
        message = self.fake.message(body["chat_id"], body["message_id"])
        return (await self.fake.edit_text(body["user_id"], message, body["text"])).to_api()

    async def press_button(self, body: dict[str, Any]) -> dict[str, Any]:
        message = self.fake.message(body["chat_id"], body["message_id"])
        query = await self.fake.press_button(body["user_id"], message, body["label"])
        return {"callback_query_id": query.id, "data": query.data}

    async def press_keyboard_button(self, body: dict[str, Any]) -> dict[str, Any]:
        message = await self.fake.press_keyboard_button(
            body["user_id"], body["label"], body.get("chat_id")
        )
        return message.to_api()

    async def block_bot(self, body: dict[str, Any]) -> bool:
        await self.fake.block_bot(body["user_id"])
        return True

    async def unblock_bot(self, body: dict[str, Any]) -> bool:
        await self.fake.unblock_bot(body["user_id"])
        return True

    async def inject_update(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.fake.inject_update(body)

    async def redeliver_update(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.fake.redeliver_update(body["update_id"])

    async def fail_next(self, body: dict[str, Any]) -> dict[str, Any]:
        fault = self.fake.fail_next(**body)
        return {"method": fault.method, **fault.error.response_body()}

    async def delay_next(self, body: dict[str, Any]) -> dict[str, Any]:
        delay = self.fake.delay_next(**body)
        return {"method": delay.method, "seconds": delay.seconds, "times": delay.remaining}

    async def set_flood_limit(self, body: dict[str, Any]) -> bool:
        self.fake.set_group_flood_limit(body.get("messages_per_minute"))
        return True

    async def set_send_limits(self, body: dict[str, Any]) -> bool:
        self.fake.set_send_limits(
            body.get("messages_per_second"),
            body.get("private_chat_messages_per_second"),
            body.get("private_chat_burst", DEFAULT_PRIVATE_CHAT_BURST),
        )
        return True

    async def set_latency(self, body: dict[str, Any]) -> bool:
        self.fake.set_latency(body["seconds"])
        return True

    async def wait_for_bot_messages(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        messages = await self.fake.wait_for_bot_messages(
            body["chat_id"], body.get("count", 1), body.get("timeout", 5.0)
        )
        return [message_view(message) for message in messages]

    async def wait_until_quiet(self, body: dict[str, Any]) -> bool:
        await self.fake.wait_until_quiet(body.get("quiet_period", 0.1), body.get("timeout", 5.0))
        return True

    def _optional_message(self, body: dict[str, Any], key: str) -> StoredMessage | None:
        if body.get(key) is None:
            return None
        return self.fake.message(body.get("chat_id") or body["user_id"], body[key])
