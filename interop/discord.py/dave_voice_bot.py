"""discord.py voice with DAVE (the `davey` package its [voice] extra brings): join the voice channel, wait until the
voice gateway has put this client in an end-to-end encrypted group (DAVE protocol version 1, MLS epoch > 0), report
that, play a 440 Hz tone for TONE_SECONDS (encrypted by davey before transport encryption), leave, exit 0. A DAVE
receiver in the harness (interop/__tests__/dave.test.ts, @discordjs/voice) decrypts and checks it. Prints INTEROP
lines."""

import asyncio
import io
import logging
import os
import traceback

import discord

from interop_env import GUILD_ID, VOICE_CHANNEL_ID, emit, run, use_gateway_from_rest
from voice_bot import TONE_HZ, TONE_SECONDS, tone

DAVE_TIMEOUT = float(os.environ.get("DAVE_TIMEOUT", "15"))


async def wait_for_dave(voice: discord.VoiceClient) -> dict:
    """Polls discord.py's own voice connection state until its DAVE session is in an established group."""
    state = voice._connection  # VoiceConnectionState: where discord.py keeps dave_session / dave_protocol_version
    deadline = asyncio.get_running_loop().time() + DAVE_TIMEOUT
    while True:
        session = state.dave_session
        if state.dave_protocol_version == 1 and session is not None and session.ready and (session.epoch or 0) > 0:
            return {
                "protocol_version": state.dave_protocol_version,
                "epoch": int(session.epoch),
                "user_ids": sorted(str(u) for u in session.get_user_ids()),
                "privacy_code": session.voice_privacy_code,
            }
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(
                f"DAVE not ready: version={state.dave_protocol_version} "
                f"session={'yes' if session else 'no'} ready={getattr(session, 'ready', None)} "
                f"epoch={getattr(session, 'epoch', None)}"
            )
        await asyncio.sleep(0.05)


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.failed = False

    async def setup_hook(self) -> None:
        await use_gateway_from_rest(self)

    async def on_socket_event_type(self, event_type: str) -> None:
        # Which voice events reached the client (a connect that times out shows whether they arrived at all).
        if event_type.startswith("VOICE_"):
            emit("voice-event", {"t": event_type})

    async def on_ready(self) -> None:
        try:
            emit("ready", {"id": str(self.user.id), "username": self.user.name, "bot": self.user.bot})
            channel = self.get_guild(GUILD_ID).get_channel(VOICE_CHANNEL_ID)
            voice = await channel.connect(timeout=15, reconnect=False)
            emit("voice-connected", {"channel": channel.name, "max_dave": voice._connection.max_dave_protocol_version})
            emit("dave", await wait_for_dave(voice))
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
            session = voice._connection.dave_session
            stats = session.get_encryption_stats() if session else None
            emit(
                "played",
                {"seconds": TONE_SECONDS, "hz": TONE_HZ, "encrypted": stats.successes if stats else 0},
            )
            await voice.disconnect()
            emit("done")
        except Exception as exc:
            self.failed = True
            emit("error", {"message": repr(exc), "trace": traceback.format_exc()})
        await self.close()


async def main() -> int:
    discord.utils.setup_logging()
    # The connect flow's own account (e.g. "Ignoring unexpected voice_state_update event") if a connect times out.
    logging.getLogger("discord.voice_state").setLevel(logging.DEBUG)
    if not discord.opus.is_loaded():
        discord.opus.load_opus("libopus.so.0")
    bot = Bot()
    return await run(bot)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
