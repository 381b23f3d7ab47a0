"""discord.py voice: log in, join the voice channel (PyNaCl + libopus), play a 440 Hz tone for TONE_SECONDS, leave, exit 0.
A listener in the harness (interop/__tests__/discordpy-voice.test.ts, @concord/voice's VoiceClient) checks it hears the
tone. Prints INTEROP lines."""

import asyncio
import io
import math
import os
import traceback
from array import array

import discord

from interop_env import GUILD_ID, VOICE_CHANNEL_ID, emit, run, use_gateway_from_rest

TONE_HZ = 440
TONE_SECONDS = float(os.environ.get("TONE_SECONDS", "3"))
RATE = 48_000


def tone() -> bytes:
    """48 kHz stereo s16le, what discord.PCMAudio expects."""
    samples = array("h")
    for i in range(int(RATE * TONE_SECONDS)):
        v = int(0.3 * 32767 * math.sin(2 * math.pi * TONE_HZ * i / RATE))
        samples.append(v)
        samples.append(v)
    return samples.tobytes()


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.failed = False

    async def setup_hook(self) -> None:
        await use_gateway_from_rest(self)

    async def on_ready(self) -> None:
        try:
            emit("ready", {"id": str(self.user.id), "username": self.user.name, "bot": self.user.bot})
            guild = self.get_guild(GUILD_ID)
            channel = guild.get_channel(VOICE_CHANNEL_ID)
            emit("guild", {"id": str(guild.id), "name": guild.name, "channels": [c.name for c in guild.channels]})
            voice = await channel.connect(timeout=15, reconnect=False)
            emit("voice-connected", {"channel": channel.name, "mode": getattr(voice, "mode", None)})
            finished = asyncio.Event()
            loop = asyncio.get_running_loop()
            errors: list[BaseException] = []

            def after(err: BaseException | None) -> None:
                if err:
                    errors.append(err)
                loop.call_soon_threadsafe(finished.set)

            voice.play(discord.PCMAudio(io.BytesIO(tone())), after=after)
            await asyncio.wait_for(finished.wait(), TONE_SECONDS + 10)
            if errors:
                raise errors[0]
            emit("played", {"seconds": TONE_SECONDS, "hz": TONE_HZ})
            await voice.disconnect()
            emit("done")
        except Exception as exc:
            self.failed = True
            emit("error", {"message": repr(exc), "trace": traceback.format_exc()})
        await self.close()


async def main() -> int:
    discord.utils.setup_logging()
    if not discord.opus.is_loaded():
        # Debian's libopus0 installs libopus.so.0, which ctypes.util.find_library does not always find.
        discord.opus.load_opus("libopus.so.0")
    bot = Bot()
    return await run(bot)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
