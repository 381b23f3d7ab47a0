"""Points an unmodified discord.py at a Concord server: the only settings a real bot would change."""

import json
import os
import sys
import traceback

import discord
import discord.gateway
import discord.http
import yarl

URL = os.environ["CONCORD_URL"]
TOKEN = os.environ["CONCORD_TOKEN"]
GUILD_ID = int(os.environ["CONCORD_GUILD_ID"])
CHANNEL_ID = int(os.environ["CONCORD_CHANNEL_ID"])
VOICE_CHANNEL_ID = int(os.environ["CONCORD_VOICE_CHANNEL_ID"])
LIB = os.environ.get("INTEROP_LIB", "discord.py")

# discord.py keeps its REST base in a class attribute (discord/http.py Route.BASE, also what its own
# _set_api_version() rewrites).
discord.http.Route.BASE = f"{URL}/api/v10"


async def use_gateway_from_rest(client: discord.Client) -> None:
    """A non-sharded discord.Client connects to DiscordWebSocket.DEFAULT_GATEWAY; take the URL the server announces in
    GET /gateway/bot, through the library's own call, as AutoShardedClient does."""
    _, url, _ = await client.http.get_bot_gateway()
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


def emit(event: str, data=None) -> None:
    """One line of the interop protocol (interop/harness/runBot.ts)."""
    line = f"INTEROP {event}" if data is None else f"INTEROP {event} {json.dumps(data)}"
    print(line, flush=True)
    sys.stdout.flush()


async def run(bot: discord.Client) -> int:
    """Runs a bot whose on_ready does the work and sets `bot.failed` on failure: the process's exit code (1 on a
    failure or a start that raised, which is reported as an `error` line)."""
    try:
        await bot.start(TOKEN)
    except Exception as exc:
        emit("error", {"message": repr(exc), "trace": traceback.format_exc()})
        return 1
    return 1 if bot.failed else 0
