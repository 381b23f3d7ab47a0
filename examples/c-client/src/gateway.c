/* The main gateway session (docs/ENGINE-CONTRACT.md, sections 1-2): Hello, Identify with the player token, heartbeats
 * carrying the last sequence number, and the dispatches an engine uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_state.h"

/* GUILDS | GUILD_VOICE_STATES | GUILD_MESSAGES | MESSAGE_CONTENT: the contract's minimum. */
#define INTENTS (1 | 128 | 512 | 32768)

cc_status cc_gateway_send(cc_client *c, int op, cJSON *d) {
  cJSON *p = cJSON_CreateObject();
  if (!p) {
    cJSON_Delete(d);
    return CC_ERR_NOMEM;
  }
  cJSON_AddNumberToObject(p, "op", op);
  cJSON_AddItemToObject(p, "d", d ? d : cJSON_CreateNull());
  char *text = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  if (!text) return CC_ERR_NOMEM;
  cc_status st = cc_ws_send_text(&c->gw, text, strlen(text));
  free(text);
  return st == CC_OK ? CC_OK : cc_fail(c, st, "gateway send failed");
}

static cc_status heartbeat(cc_client *c) {
  c->gw_awaiting_ack = 1;
  return cc_gateway_send(c, 1, c->seq >= 0 ? cJSON_CreateNumber((double)c->seq) : cJSON_CreateNull());
}

static cc_status identify(cc_client *c) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "token", c->token);
  cJSON_AddNumberToObject(d, "intents", INTENTS);
  cJSON *props = cJSON_AddObjectToObject(d, "properties");
  cJSON_AddStringToObject(props, "os", c->os);
  cJSON_AddStringToObject(props, "browser", c->browser);
  cJSON_AddStringToObject(props, "device", c->device);
  c->identified = 1;
  return cc_gateway_send(c, 2, d);
}

static void on_voice_state(cc_client *c, const cJSON *d) {
  cc_voice_state vs = {
      .user_id = cc_json_str(d, "user_id"),
      .channel_id = cc_json_str(d, "channel_id"),
      .mute = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "mute")),
      .deaf = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "deaf")),
      .self_mute = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "self_mute")),
      .self_deaf = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "self_deaf")),
  };
  if (!vs.user_id) return;
  /* Ours, into the channel we asked for: its session_id is the voice Identify's. */
  if (c->phase == CC_VOICE_REQUESTED && strcmp(vs.user_id, c->user_id) == 0 && vs.channel_id &&
      strcmp(vs.channel_id, c->channel_id) == 0) {
    const char *sid = cc_json_str(d, "session_id");
    if (sid && cc_copy(c->voice_session, sizeof c->voice_session, sid) == 0) c->have_state = 1;
  }
  if (c->cfg.callbacks.on_voice_state) c->cfg.callbacks.on_voice_state(c->cfg.user, &vs);
}

/* Our own voice state left the channel we are connected to (the game disconnected us): the voice server closes the
 * connection too (4014); tearing it down here keeps us from sending into a room we are no longer in. */
static void on_own_voice_left(cc_client *c, const cJSON *d) {
  const char *uid = cc_json_str(d, "user_id");
  if (c->phase < CC_VOICE_HANDSHAKE || !uid || strcmp(uid, c->user_id) != 0) return;
  const char *channel = cc_json_str(d, "channel_id");
  if (channel && strcmp(channel, c->channel_id) == 0) return;
  cc_voice_teardown(c, 0);
  if (c->cfg.callbacks.on_voice_closed) c->cfg.callbacks.on_voice_closed(c->cfg.user, 4014);
}

static cc_status on_voice_server(cc_client *c, const cJSON *d) {
  const char *token = cc_json_str(d, "token");
  const char *endpoint = cc_json_str(d, "endpoint");
  if (c->phase != CC_VOICE_REQUESTED) return CC_OK;
  if (!token || !endpoint) return cc_fail(c, CC_ERR_PROTOCOL, "VOICE_SERVER_UPDATE without token or endpoint");
  if (cc_copy(c->voice_token, sizeof c->voice_token, token) || cc_copy(c->voice_endpoint, sizeof c->voice_endpoint, endpoint))
    return cc_fail(c, CC_ERR_TOO_LARGE, "VOICE_SERVER_UPDATE token or endpoint too long");
  c->have_server = 1;
  return CC_OK;
}

static cc_status dispatch(cc_client *c, const char *t, const cJSON *d, const uint8_t *raw) {
  const cc_callbacks *cb = &c->cfg.callbacks;
  if (strcmp(t, "READY") == 0) {
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(d, "user");
    const char *id = cc_json_str(user, "id");
    const char *sid = cc_json_str(d, "session_id");
    if (!id || !sid || cc_copy(c->user_id, sizeof c->user_id, id) || cc_copy(c->session_id, sizeof c->session_id, sid))
      return cc_fail(c, CC_ERR_PROTOCOL, "READY without a usable user.id or session_id");
    const char *name = cc_json_str(user, "username");
    cc_copy(c->username, sizeof c->username, name ? name : "");
    c->ready = 1;
    if (cb->on_ready) cb->on_ready(c->cfg.user, c->user_id, c->username, c->session_id);
  } else if (strcmp(t, "GUILD_CREATE") == 0) {
    if (cb->on_guild_create) cb->on_guild_create(c->cfg.user, cc_json_str(d, "id"), cc_json_str(d, "name"));
  } else if (strcmp(t, "MESSAGE_CREATE") == 0) {
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(d, "author");
    cc_message m = {
        .id = cc_json_str(d, "id"),
        .channel_id = cc_json_str(d, "channel_id"),
        .author_id = cc_json_str(author, "id"),
        .author_username = cc_json_str(author, "username"),
        .content = cc_json_str(d, "content"),
        .timestamp = cc_json_str(d, "timestamp"),
    };
    if (!m.id || !m.channel_id) return cc_fail(c, CC_ERR_PROTOCOL, "MESSAGE_CREATE without id or channel_id");
    if (cb->on_message_create) cb->on_message_create(c->cfg.user, &m);
  } else if (strcmp(t, "VOICE_STATE_UPDATE") == 0) {
    on_voice_state(c, d);
    on_own_voice_left(c, d);
  } else if (strcmp(t, "VOICE_SERVER_UPDATE") == 0) {
    cc_status st = on_voice_server(c, d);
    if (st != CC_OK) return st;
  } else if (cb->on_dispatch) {
    /* The raw frame: the integrator parses what it wants (d is inside). */
    cb->on_dispatch(c->cfg.user, t, (const char *)raw);
  }
  if (c->phase == CC_VOICE_REQUESTED && c->have_state && c->have_server) return cc_voice_open(c);
  return CC_OK;
}

cc_status cc_gateway_on_message(cc_client *c, const uint8_t *data, size_t len) {
  cJSON *p = cc_json_parse((const char *)data, len, c->cfg.max_gateway_message, c->cfg.max_json_depth);
  if (!p) return cc_fail(c, CC_ERR_PROTOCOL, "gateway sent invalid or too deep JSON (%zu bytes)", len);
  cc_status st = CC_OK;
  long long op = cc_json_int(p, "op", -1);
  long long s = cc_json_int(p, "s", -1);
  if (s >= 0) c->seq = s;
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "d");
  switch (op) {
    case 10: { /* Hello */
      long long interval = cc_json_int(d, "heartbeat_interval", -1);
      if (interval < 1000 || interval > 600000) {
        st = cc_fail(c, CC_ERR_PROTOCOL, "Hello with heartbeat_interval %lld", interval);
        break;
      }
      c->gw_interval = interval;
      c->gw_next_beat = cc_now_ms() + interval / 2;
      if (!c->identified) st = identify(c);
      break;
    }
    case 11:
      c->gw_awaiting_ack = 0;
      break;
    case 1:
      st = heartbeat(c);
      break;
    case 0: {
      const char *t = cc_json_str(p, "t");
      if (!t) {
        st = cc_fail(c, CC_ERR_PROTOCOL, "dispatch without t");
        break;
      }
      st = dispatch(c, t, d, data);
      break;
    }
    case 7:
      st = cc_fail(c, CC_ERR_CLOSED, "the gateway asked us to reconnect (op 7)");
      break;
    case 9:
      st = cc_fail(c, CC_ERR_AUTH, "invalid session (op 9)");
      break;
    default:
      break; /* ops added within version 1 are ignored */
  }
  cJSON_Delete(p);
  return st;
}

cc_status cc_gateway_tick(cc_client *c, int64_t now) {
  if (c->gw_interval <= 0 || now < c->gw_next_beat) return CC_OK;
  /* A beat not acknowledged by the next one: the connection is a zombie (Discord's rule). */
  if (c->gw_awaiting_ack) return cc_fail(c, CC_ERR_TIMEOUT, "no heartbeat ACK from the gateway");
  c->gw_next_beat = now + c->gw_interval;
  return heartbeat(c);
}
