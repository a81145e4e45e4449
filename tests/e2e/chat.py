"""A minimal socket.io client speaking the widget's protocol (channels/socketio.py), for the e2e tests."""

from __future__ import annotations

import asyncio
import concurrent.futures

import socketio


def run_async(coroutine):
    """Runs a coroutine on its own thread: Playwright's sync API owns this thread's loop."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=90)


class Chat:
    """A minimal socket.io client speaking the widget's protocol."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.tokens: asyncio.Queue = asyncio.Queue()
        self.replies: asyncio.Queue = asyncio.Queue()
        self.client.on("session_confirm", self.tokens.put_nowait)
        self.client.on("bot_uttered", self.replies.put_nowait)

    async def connect(self, url: str, origin: str, transport: str, headers=None) -> None:
        await self.client.connect(
            url, headers={"Origin": origin, **(headers or {})}, transports=[transport], wait_timeout=10
        )

    async def session(self, token=None) -> str:
        await self.client.emit("session_request", {"session_id": token})
        return await asyncio.wait_for(self.tokens.get(), 10)

    async def say(self, text: str, **extra) -> list:
        await self.client.emit("user_uttered", {"message": text, **extra})
        replies = [await asyncio.wait_for(self.replies.get(), 30)]
        await asyncio.sleep(1)  # the rest of the turn's messages
        while not self.replies.empty():
            replies.append(self.replies.get_nowait())
        return replies

    async def close(self) -> None:
        await self.client.disconnect()
        if getattr(self.client.eio, "http", None):  # aiohttp session the client opened
            await self.client.eio.http.close()
