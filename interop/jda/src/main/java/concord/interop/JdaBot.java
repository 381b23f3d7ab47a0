package concord.interop;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;
import net.dv8tion.jda.api.GatewayEncoding;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

/**
 * JDA text round trip: READY + GUILD_CREATE into JDA's entities, post ping-jda, see onMessageReceived fire for it, reply
 * through REST, exit 0. Prints INTEROP lines for interop/__tests__/jda.test.ts.
 */
public final class JdaBot extends ListenerAdapter {
  private static final String LIB = env("INTEROP_LIB", "jda");
  private static final String GUILD_ID = env("CONCORD_GUILD_ID", null);
  private static final String CHANNEL_ID = env("CONCORD_CHANNEL_ID", null);

  public static void main(String[] args) {
    String url = env("CONCORD_URL", null);
    GatewayEncoding encoding = "etf".equals(env("JDA_ENCODING", "json")) ? GatewayEncoding.ETF : GatewayEncoding.JSON;
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> fail(e));
    try {
      JDABuilder.createDefault(env("CONCORD_TOKEN", null))
          .enableIntents(EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT))
          // The only changes from a bot on Discord: where the API is, and where the gateway is. JDA does not ask
          // GET /gateway/bot for the URL; SessionController#getGateway is its documented hook for a custom one.
          .setRestConfig(new RestConfig().setBaseUrl(url + "/api/v10/"))
          .setSessionController(new GatewayAt(url.replaceFirst("^http", "ws") + "/"))
          .setGatewayEncoding(encoding)
          .setCompression(Compression.ZLIB)
          .addEventListeners(new JdaBot())
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
      Guild guild = jda.getGuildById(GUILD_ID);
      if (guild == null) throw new IllegalStateException("guild " + GUILD_ID + " not in cache: " + jda.getGuilds());
      List<String> channels = guild.getChannels().stream().map(c -> q(c.getName())).collect(Collectors.toList());
      emit("guild", "{\"id\":" + q(guild.getId()) + ",\"name\":" + q(guild.getName()) + ",\"channels\":" + channels
          + ",\"members\":" + guild.getMemberCount() + "}");
      TextChannel channel = guild.getTextChannelById(CHANNEL_ID);
      Message ping = channel.sendMessage("ping-" + LIB).complete();
      emit("sent", "{\"id\":" + q(ping.getId()) + ",\"content\":" + q(ping.getContentRaw()) + "}");
    } catch (Throwable e) {
      fail(e);
    }
  }

  @Override
  public void onMessageReceived(MessageReceivedEvent event) {
    Message message = event.getMessage();
    if (!message.getAuthor().getId().equals(event.getJDA().getSelfUser().getId())) return;
    if (!message.getContentRaw().equals("ping-" + LIB)) return;
    try {
      emit("message", "{\"id\":" + q(message.getId()) + ",\"content\":" + q(message.getContentRaw())
          + ",\"author_id\":" + q(message.getAuthor().getId()) + "}");
      Message reply = message.reply("pong-" + LIB).complete();
      String ref = reply.getMessageReference() == null ? "null" : q(reply.getMessageReference().getMessageId());
      emit("replied", "{\"id\":" + q(reply.getId()) + ",\"reference\":" + ref + "}");
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

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    if (v == null && fallback == null) throw new IllegalStateException("missing env " + name);
    return v == null ? fallback : v;
  }
}
