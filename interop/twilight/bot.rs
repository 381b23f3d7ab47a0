// twilight text round trip: READY and GUILD_CREATE deserialised into twilight-model's types (strict: a missing
// required field is an error), post ping-<lib>, see MESSAGE_CREATE for it, reply through REST, exit 0.
// Prints INTEROP lines for interop/__tests__/twilight.test.ts. Built once per compression (zstd/, zlib/).

use serde_json::json;
use twilight_gateway::{ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _};
use twilight_http::Client;
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::id::Id;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("missing env {name}"))
}

fn emit(event: &str, data: serde_json::Value) {
    println!("INTEROP {event} {data}");
}

fn fail(what: &str, err: impl std::fmt::Display) -> ! {
    emit("error", json!({ "message": format!("{what}: {err}") }));
    std::process::exit(1);
}

#[tokio::main]
async fn main() {
    // rustls (used for nothing here: every URL is plain ws:// and http://) still wants its process-wide provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let token = env("CONCORD_TOKEN");
    let lib = std::env::var("INTEROP_LIB").unwrap_or_else(|_| "twilight".into());
    let port = env("CONCORD_PORT");
    let guild_id = Id::new(env("CONCORD_GUILD_ID").parse().expect("guild id"));
    let channel_id = Id::new(env("CONCORD_CHANNEL_ID").parse().expect("channel id"));
    // The only changes from a bot on Discord: twilight-http's documented proxy (plain HTTP to this host) and
    // twilight-gateway's proxy_url (the gateway to connect to).
    let http = Client::builder().token(format!("Bot {token}")).proxy(format!("127.0.0.1:{port}"), true).build();
    let intents = Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT;
    let config = ConfigBuilder::new(format!("Bot {token}"), intents).proxy_url(format!("ws://127.0.0.1:{port}")).build();
    // Dev auth makes a user a bot when it is first seen through REST with `Bot …` (examples/chat-server/README.md);
    // twilight does not ask REST for the gateway URL, so ask who we are first, as many bots do.
    if let Err(err) = http.current_user().await {
        fail("GET /users/@me", err);
    }
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let mut me = None;
    let ping_content = format!("ping-{lib}");

    while let Some(item) = shard.next_event(EventTypeFlags::all()).await {
        let event = match item {
            Ok(event) => event,
            // twilight skips an event it cannot deserialise and carries on; here that is the failure to report.
            Err(err) => fail("gateway", format!("{err} ({:?})", err.kind())),
        };
        match event {
            Event::Ready(ready) => {
                me = Some(ready.user.id);
                emit(
                    "ready",
                    json!({ "id": ready.user.id.to_string(), "username": ready.user.name, "bot": ready.user.bot }),
                );
            }
            Event::GuildCreate(create) => {
                let GuildCreate::Available(guild) = *create else { continue };
                if guild.id != guild_id {
                    continue;
                }
                emit(
                    "guild",
                    json!({
                        "id": guild.id.to_string(),
                        "name": guild.name,
                        "channels": guild.channels.iter().filter_map(|c| c.name.clone()).collect::<Vec<_>>(),
                        "members": guild.member_count,
                        "roles": guild.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
                    }),
                );
                let ping = match http.create_message(channel_id).content(&ping_content).await {
                    Ok(res) => res.model().await.unwrap_or_else(|e| fail("parsing the ping", e)),
                    Err(err) => fail("sending the ping", err),
                };
                emit("sent", json!({ "id": ping.id.to_string(), "content": ping.content }));
            }
            Event::MessageCreate(msg) => {
                if Some(msg.author.id) != me || msg.content != ping_content {
                    continue;
                }
                emit(
                    "message",
                    json!({ "id": msg.id.to_string(), "content": msg.content, "author_id": msg.author.id.to_string() }),
                );
                let reply = match http.create_message(msg.channel_id).content(&format!("pong-{lib}")).reply(msg.id).await {
                    Ok(res) => res.model().await.unwrap_or_else(|e| fail("parsing the reply", e)),
                    Err(err) => fail("replying", err),
                };
                let reference = reply.reference.as_ref().and_then(|r| r.message_id).map(|id| id.to_string());
                emit("replied", json!({ "id": reply.id.to_string(), "reference": reference }));
                emit("done", json!(null));
                std::process::exit(0);
            }
            _ => {}
        }
    }
    fail("gateway", "the shard stream ended");
}
