"""discord.py command bot (interop/__tests__/commands.test.ts): registers /echo and the user command Inspect through
app_commands.CommandTree.sync(), then answers what the test's official client does (autocomplete, /echo, the button's
modal, the deferred reply with its edit and ephemeral follow-up, the select's update, Inspect) through discord.ui View
and Modal, printing one INTEROP line per step with what discord.py parsed (interaction.type), and exits 0 after
Inspect."""

import asyncio
import traceback

import discord
from discord import app_commands

from interop_env import emit, run, use_gateway_from_rest


class Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_tree_error
        self.failed = False
        self.synced = False
        register(self)

    async def setup_hook(self) -> None:
        await use_gateway_from_rest(self)

    async def on_ready(self) -> None:
        if self.synced:
            return
        self.synced = True
        try:
            emit("ready", {"id": str(self.user.id), "username": self.user.name, "bot": self.user.bot})
            commands = await self.tree.sync()
            emit(
                "synced",
                {
                    "application_id": str(self.application_id),
                    "commands": [{"id": str(c.id), "name": c.name, "type": c.type.value} for c in commands],
                },
            )
        except Exception as exc:
            self.fail(exc)

    async def on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        self.fail(error)

    def fail(self, exc: BaseException) -> None:
        self.failed = True
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        emit("error", {"message": repr(exc), "trace": trace})
        asyncio.get_running_loop().create_task(self.close())


class EchoModal(discord.ui.Modal):
    text = discord.ui.TextInput(label="Text", custom_id="text")

    def __init__(self, bot: Bot) -> None:
        super().__init__(title="Echo", custom_id="echo-modal")
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        value = self.text.value
        emit("modal", {"via": interaction.type.name, "customId": interaction.data.get("custom_id"), "value": value})
        # A modal submit defers as an update unless it asks to think: thinking=True is the deferred reply (type 5).
        await interaction.response.defer(thinking=True)
        emit("deferred")
        edited = await interaction.edit_original_response(content=f"got {value}")
        emit("edited", {"id": str(edited.id), "content": edited.content})
        secret = await interaction.followup.send("secret", ephemeral=True, wait=True)
        emit("followup", {"id": str(secret.id), "content": secret.content, "flags": secret.flags.value})

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        self.bot.fail(error)


class EchoView(discord.ui.View):
    def __init__(self, bot: Bot) -> None:
        super().__init__(timeout=300)
        self.bot = bot

    @discord.ui.button(label="Open", custom_id="open", style=discord.ButtonStyle.primary)
    async def open(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        emit(
            "button",
            {"via": interaction.type.name, "customId": button.custom_id, "message": str(interaction.message.id)},
        )
        await interaction.response.send_modal(EchoModal(self.bot))
        emit("modal-shown")

    @discord.ui.select(
        custom_id="pick",
        placeholder="Pick one",
        options=[discord.SelectOption(label="A", value="a"), discord.SelectOption(label="B", value="b")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        emit("select", {"via": interaction.type.name, "customId": select.custom_id, "values": select.values})
        await interaction.response.edit_message(content=f"picked {','.join(select.values)}")
        emit("updated")

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        self.bot.fail(error)


def register(bot: Bot) -> None:
    @bot.tree.command(name="echo", description="Repeats a text")
    @app_commands.describe(text="What to repeat", count="How many times")
    async def echo(interaction: discord.Interaction, text: str, count: app_commands.Range[int, 1, 3]) -> None:
        emit(
            "command",
            {
                "via": interaction.type.name,
                "name": interaction.command.name,
                "text": text,
                "count": count,
                "user": str(interaction.user.id),
            },
        )
        await interaction.response.send_message(" ".join([text] * count), view=EchoView(bot))
        emit("replied", {"type": 4})

    @echo.autocomplete("text")
    async def echo_text(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        emit(
            "autocomplete",
            {"via": interaction.type.name, "command": interaction.command.name, "name": "text", "value": current},
        )
        return [app_commands.Choice(name=w, value=w) for w in ("hi", "hello", "hey", "bye") if w.startswith(current)]

    @bot.tree.context_menu(name="Inspect")
    async def inspect(interaction: discord.Interaction, user: discord.User) -> None:
        emit(
            "inspect",
            {"via": interaction.type.name, "name": "Inspect", "targetId": str(user.id), "targetName": user.name},
        )
        await interaction.response.send_message(f"Inspect: {user.name}", ephemeral=True)
        emit("done")
        await bot.close()


async def main() -> int:
    # The library's own log (its parse errors, gateway closes, ignored exceptions) goes to stderr for the harness.
    discord.utils.setup_logging()
    bot = Bot()
    return await run(bot)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
