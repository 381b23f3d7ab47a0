//! serenity text round trip: READY + GUILD_CREATE into serenity's cache and models, post ping-<lib>, see the `message`
//! event fire for it, reply through REST, exit 0. Prints INTEROP lines for interop/__tests__/serenity.test.ts.

use serenity::async_trait;
use serenity::http::HttpBuilder;
use serenity::model::channel::Message;
use serenity::model::gateway::Ready;
use serenity::model::id::{ChannelId, GuildId};
use serenity::prelude::*;
use serde_json::json;
use std::sync::atomic::{AtomicU8, Ordering};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("missing env {name}"))
}

fn emit(event: &str, data: serde_json::Value) {
    println!("INTEROP {event} {data}");
}

// serenity runs event handlers concurrently: the ping's MESSAGE_CREATE can be handled (and replied to) before the
// POST that sent it has returned in `cache_ready`. The bot is done when both have happened, in either order.
static STEPS: AtomicU8 = AtomicU8::new(0);

fn step_done() {
    if STEPS.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
        emit("done", json!(null));
        std::process::exit(0);
    }
}

fn fail(what: &str, err: impl std::fmt::Debug) -> ! {
    emit("error", json!({ "message": format!("{what}: {err:?}") }));
    std::process::exit(1);
}

struct Handler {
    lib: String,
    guild: GuildId,
    channel: ChannelId,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        emit(
            "ready",
            json!({ "id": ready.user.id.to_string(), "username": ready.user.name, "bot": ready.user.bot }),
        );
    }

    // Fires once every guild of READY has arrived as GUILD_CREATE and is in the cache.
    async fn cache_ready(&self, ctx: Context, _guilds: Vec<GuildId>) {
        let summary = match ctx.cache.guild(self.guild) {
            Some(guild) => json!({
                "id": guild.id.to_string(),
                "name": guild.name,
                "channels": guild.channels.values().map(|c| c.name.clone()).collect::<Vec<_>>(),
                "members": guild.member_count,
                "roles": guild.roles.values().map(|r| r.name.clone()).collect::<Vec<_>>(),
            }),
            None => fail("guild not in cache", self.guild),
        };
        emit("guild", summary);
        match self.channel.say(&ctx.http, format!("ping-{}", self.lib)).await {
            Ok(ping) => {
                emit("sent", json!({ "id": ping.id.to_string(), "content": ping.content }));
                step_done();
            }
            Err(err) => fail("sending ping", err),
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.id != ctx.cache.current_user().id || msg.content != format!("ping-{}", self.lib) {
            return;
        }
        emit(
            "message",
            json!({ "id": msg.id.to_string(), "content": msg.content, "author_id": msg.author.id.to_string() }),
        );
        match msg.reply(&ctx, format!("pong-{}", self.lib)).await {
            Ok(reply) => {
                let reference = reply.message_reference.as_ref().and_then(|r| r.message_id).map(|id| id.to_string());
                emit("replied", json!({ "id": reply.id.to_string(), "reference": reference }));
                step_done();
            }
            Err(err) => fail("replying", err),
        }
    }
}

#[tokio::main]
async fn main() {
    // serenity's own log (its parse errors, gateway closes) to stderr, which the harness shows on failure.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,serenity=info".into()))
        .init();
    let token = env("CONCORD_TOKEN");
    // The only change from a bot on Discord: HttpBuilder::proxy sends every API request to this base instead of
    // https://discord.com. serenity 0.12 applies the proxy only with its own rate limiter off (its docs pair the two
    // options: the proxy is expected to rate limit); the server's 429s still reach it. The gateway URL comes from
    // GET /gateway/bot.
    let http = HttpBuilder::new(&token).proxy(env("CONCORD_URL")).ratelimiter_disabled(true).build();
    // serenity itself only logs "HTTP request to get gateway URL failed" and falls back to Discord's gateway; the same
    // call made here first puts the full error in the output.
    if let Err(err) = http.get_bot_gateway().await {
        eprintln!("GET /gateway/bot failed: {err:?}");
    }
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let handler = Handler {
        lib: std::env::var("INTEROP_LIB").unwrap_or_else(|_| "serenity".into()),
        guild: GuildId::new(env("CONCORD_GUILD_ID").parse().expect("guild id")),
        channel: ChannelId::new(env("CONCORD_CHANNEL_ID").parse().expect("channel id")),
    };
    let mut client = match serenity::client::ClientBuilder::new_with_http(http, intents).event_handler(handler).await {
        Ok(client) => client,
        Err(err) => fail("building client", err),
    };
    if let Err(err) = client.start().await {
        fail("client", err);
    }
    fail("client", "gateway ended");
}
