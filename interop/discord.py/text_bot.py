"""discord.py text round trip: READY + GUILD_CREATE into discord.py's models, post ping-<lib>, see on_message fire for
it, reply through REST, exit 0. Prints INTEROP lines for interop/__tests__/discordpy.test.ts."""

import asyncio
import traceback

import discord

from interop_env import CHANNEL_ID, GUILD_ID, LIB, emit, run, use_gateway_from_rest


class Bot(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents)
        self.ping_id: int | None = None
        self.failed = False
        # on_ready and on_message run as separate tasks: the ping's MESSAGE_CREATE can be handled (and replied to)
        # before channel.send() has returned. The bot is done when both have happened, in either order.
        self.steps = 0

    async def setup_hook(self) -> None:
        await use_gateway_from_rest(self)
        # What discord.py will ask for (zlib-stream, or zstd-stream when `zstandard` is importable).
        emit("gateway", {"compress": discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE})

    async def on_ready(self) -> None:
        try:
            emit("ready", {"id": str(self.user.id), "username": self.user.name, "bot": self.user.bot})
            guild = self.get_guild(GUILD_ID)
            if guild is None:
                raise RuntimeError(f"guild {GUILD_ID} not in cache: {[g.id for g in self.guilds]}")
            emit(
                "guild",
                {
                    "id": str(guild.id),
                    "name": guild.name,
                    "channels": [c.name for c in guild.channels],
                    "members": guild.member_count,
                    "roles": [r.name for r in guild.roles],
                },
            )
            channel = guild.get_channel(CHANNEL_ID)
            ping = await channel.send(f"ping-{LIB}")
            self.ping_id = ping.id
            emit("sent", {"id": str(ping.id), "content": ping.content})
        except Exception as exc:  # report, then let the harness see a non-zero exit
            self.fail(exc)
            return
        await self.step_done()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.id != self.user.id or message.content != f"ping-{LIB}":
            return
        try:
            emit("message", {"id": str(message.id), "content": message.content, "author_id": str(message.author.id)})
            reply = await message.reply(f"pong-{LIB}")
            emit("replied", {"id": str(reply.id), "reference": str(reply.reference.message_id)})
        except Exception as exc:
            self.fail(exc)
            return
        await self.step_done()

    async def step_done(self) -> None:
        self.steps += 1
        if self.steps == 2:
            emit("done")
            await self.close()

    def fail(self, exc: BaseException) -> None:
        self.failed = True
        emit("error", {"message": repr(exc), "trace": traceback.format_exc()})
        asyncio.get_running_loop().create_task(self.close())


async def main() -> int:
    # The library's own log (its parse errors, gateway closes) goes to stderr, which the harness shows on failure.
    discord.utils.setup_logging()
    bot = Bot()
    return await run(bot)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
