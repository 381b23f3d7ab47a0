"""discord.py voice, joined and left REJOINS times in a row (connect, then disconnect at once): every connect must
complete within CONNECT_TIMEOUT. discord.py's connect flow waits for VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE on an
asyncio.Event that its state setter sets and clears at once; a server that sends the second event a few hundred µs
after the first makes it miss the wake-up now and then and time out with both events in hand (docs/COMPATIBILITY.md,
(§§)). The harness (interop/__tests__/discordpy-voice.test.ts) checks that none did. Prints INTEROP lines."""

import asyncio
import logging
import os
import time
import traceback

import discord

from interop_env import GUILD_ID, VOICE_CHANNEL_ID, emit, run, use_gateway_from_rest

# 2 gateway sends per round; discord.py's own gateway limiter allows 120 a minute.
REJOINS = int(os.environ.get("REJOINS", "40"))
CONNECT_TIMEOUT = float(os.environ.get("CONNECT_TIMEOUT", "5"))


class FlowStates(logging.Handler):
    """The connect flow's states as discord.py logs them ("Connection state changed to …")."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.states: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Connection state changed to "):
            self.states.append(message.rsplit(" ", 1)[-1])


class Bot(discord.Client):
    def __init__(self, flow: FlowStates) -> None:
        super().__init__(intents=discord.Intents.default())
        self.flow = flow
        self.failed = False

    async def setup_hook(self) -> None:
        await use_gateway_from_rest(self)

    async def on_ready(self) -> None:
        try:
            emit("ready", {"id": str(self.user.id), "username": self.user.name, "bot": self.user.bot})
            channel = self.get_guild(GUILD_ID).get_channel(VOICE_CHANNEL_ID)
            took: list[float] = []
            for attempt in range(REJOINS):
                self.flow.states.clear()
                started = time.monotonic()
                try:
                    voice = await channel.connect(timeout=CONNECT_TIMEOUT, reconnect=False)
                except asyncio.TimeoutError:
                    # The flow's states tell a lost wake-up (got_both_voice_updates reached) from a missing event.
                    emit("connect-timeout", {"attempt": attempt, "states": self.flow.states})
                    raise
                took.append((time.monotonic() - started) * 1000)
                await voice.disconnect()
            took.sort()
            emit("rejoined", {"times": REJOINS, "median_ms": round(took[len(took) // 2], 1), "max_ms": round(took[-1], 1)})
        except Exception as exc:
            self.failed = True
            emit("error", {"message": repr(exc), "trace": traceback.format_exc()})
        await self.close()


async def main() -> int:
    discord.utils.setup_logging(level=logging.WARNING)
    flow = FlowStates()
    voice_log = logging.getLogger("discord.voice_state")
    voice_log.setLevel(logging.DEBUG)
    voice_log.addHandler(flow)
    if not discord.opus.is_loaded():
        discord.opus.load_opus("libopus.so.0")
    bot = Bot(flow)
    return await run(bot)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
