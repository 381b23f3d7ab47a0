package concord.interop;

import java.util.List;
import java.util.stream.Collectors;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.components.label.Label;
import net.dv8tion.jda.api.components.selections.StringSelectMenu;
import net.dv8tion.jda.api.components.textinput.TextInput;
import net.dv8tion.jda.api.components.textinput.TextInputStyle;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.User;
import net.dv8tion.jda.api.events.interaction.ModalInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.UserContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.StringSelectInteractionEvent;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.modals.Modal;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

/**
 * JDA command bot (interop/__tests__/commands.test.ts): registers /echo and the user command Inspect through
 * updateCommands(), then answers what the test's official client does (autocomplete, /echo, the button's modal, the
 * deferred reply with its edit and ephemeral follow-up, the select's update, Inspect), printing one INTEROP line per
 * step with the event class JDA dispatched, and exits 0 after Inspect. Pointed at the server as JdaBot is.
 */
public final class JdaCommandsBot extends ListenerAdapter {
  private static final List<String> WORDS = List.of("hi", "hello", "hey", "bye");

  public static void main(String[] args) {
    String url = env("CONCORD_URL");
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> fail(e));
    try {
      JDABuilder.createDefault(env("CONCORD_TOKEN"))
          .setRestConfig(new RestConfig().setBaseUrl(url + "/api/v10/"))
          .setSessionController(new GatewayAt(url.replaceFirst("^http", "ws") + "/"))
          .setCompression(Compression.ZLIB)
          .addEventListeners(new JdaCommandsBot())
          .build();
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onReady(ReadyEvent event) {
    try {
      JDA jda = event.getJDA();
      emit("ready", "{\"id\":" + q(jda.getSelfUser().getId()) + ",\"username\":" + q(jda.getSelfUser().getName())
          + ",\"bot\":" + jda.getSelfUser().isBot() + "}");
      List<Command> commands = jda.updateCommands()
          .addCommands(
              Commands.slash("echo", "Repeats a text")
                  .addOptions(
                      new OptionData(OptionType.STRING, "text", "What to repeat", true, true),
                      new OptionData(OptionType.INTEGER, "count", "How many times", true).setRequiredRange(1, 3)),
              Commands.user("Inspect"))
          .complete();
      String list = commands.stream()
          .map(c -> "{\"id\":" + q(c.getId()) + ",\"name\":" + q(c.getName()) + ",\"type\":" + c.getType().getId() + "}")
          .collect(Collectors.joining(","));
      emit("synced", "{\"application_id\":" + q(jda.getSelfUser().getApplicationId()) + ",\"commands\":[" + list + "]}");
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent event) {
    try {
      String value = event.getFocusedOption().getValue();
      emit("autocomplete", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"command\":" + q(event.getName())
          + ",\"name\":" + q(event.getFocusedOption().getName()) + ",\"value\":" + q(value) + "}");
      event.replyChoiceStrings(WORDS.stream().filter(w -> w.startsWith(value)).collect(Collectors.toList())).complete();
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
    try {
      String text = event.getOption("text").getAsString();
      int count = event.getOption("count").getAsInt();
      emit("command", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"name\":" + q(event.getName())
          + ",\"text\":" + q(text) + ",\"count\":" + count + ",\"user\":" + q(event.getUser().getId()) + "}");
      event.reply(String.join(" ", java.util.Collections.nCopies(count, text)))
          .addComponents(
              ActionRow.of(Button.primary("open", "Open")),
              ActionRow.of(StringSelectMenu.create("pick").setPlaceholder("Pick one")
                  .addOption("A", "a").addOption("B", "b").build()))
          .complete();
      emit("replied", "{\"type\":4}");
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onButtonInteraction(ButtonInteractionEvent event) {
    try {
      emit("button", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"customId\":" + q(event.getComponentId())
          + ",\"message\":" + q(event.getMessageId()) + "}");
      event.replyModal(Modal.create("echo-modal", "Echo")
              .addComponents(Label.of("Text", TextInput.of("text", TextInputStyle.SHORT)))
              .build())
          .complete();
      emit("modal-shown", null);
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onModalInteraction(ModalInteractionEvent event) {
    try {
      String value = event.getValue("text").getAsString();
      emit("modal", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"customId\":" + q(event.getModalId())
          + ",\"value\":" + q(value) + "}");
      InteractionHook hook = event.deferReply().complete();
      emit("deferred", null);
      Message edited = hook.editOriginal("got " + value).complete();
      emit("edited", "{\"id\":" + q(edited.getId()) + ",\"content\":" + q(edited.getContentRaw()) + "}");
      Message secret = hook.sendMessage("secret").setEphemeral(true).complete();
      emit("followup", "{\"id\":" + q(secret.getId()) + ",\"content\":" + q(secret.getContentRaw())
          + ",\"flags\":" + secret.getFlagsRaw() + "}");
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onStringSelectInteraction(StringSelectInteractionEvent event) {
    try {
      List<String> values = event.getValues();
      emit("select", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"customId\":" + q(event.getComponentId())
          + ",\"values\":[" + values.stream().map(JdaCommandsBot::q).collect(Collectors.joining(",")) + "]}");
      event.editMessage("picked " + String.join(",", values)).complete();
      emit("updated", null);
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onUserContextInteraction(UserContextInteractionEvent event) {
    try {
      User target = event.getTarget();
      emit("inspect", "{\"via\":" + q(event.getClass().getSimpleName()) + ",\"name\":" + q(event.getName())
          + ",\"targetId\":" + q(target.getId()) + ",\"targetName\":" + q(target.getName()) + "}");
      event.reply("Inspect: " + target.getName()).setEphemeral(true).complete();
      emit("done", null);
      event.getJDA().shutdownNow();
      System.exit(0);
    } catch (Throwable e) {
      fail(e);
    }
  }

  /** JDA's default session controller (identify queue, rate limits), connecting to the given gateway. */
  private static final class GatewayAt extends SessionControllerAdapter {
    private final String gateway;

    GatewayAt(String gateway) {
      this.gateway = gateway;
    }

    @Override
    public String getGateway() {
      return gateway;
    }
  }

  private static void fail(Throwable e) {
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    emit("error", "{\"message\":" + q(e.toString()) + ",\"trace\":" + q(trace.toString()) + "}");
    System.exit(1);
  }

  private static synchronized void emit(String event, String json) {
    System.out.println(json == null ? "INTEROP " + event : "INTEROP " + event + " " + json);
    System.out.flush();
  }

  /** A JSON string literal (no JSON library on the classpath besides JDA's own internals). */
  private static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null) throw new IllegalStateException("missing env " + name);
    return v;
  }
}
