/* The public calls (include/concord_client.h): creation, the step function that drives everything, voice, REST. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_state.h"

#define DEFAULT_MAX_GATEWAY_MESSAGE (4u << 20)
#define DEFAULT_JSON_DEPTH 64
#define DEFAULT_TIMEOUT_MS 5000
#define MAX_REST_ANSWER (1u << 20)
#define MAX_CONTENT (2000 * 4) /* 2,000 characters of UTF-8 */

const char *cc_status_name(cc_status s) {
  switch (s) {
    case CC_OK: return "ok";
    case CC_ERR_ARG: return "bad_argument";
    case CC_ERR_NOMEM: return "out_of_memory";
    case CC_ERR_IO: return "io";
    case CC_ERR_TIMEOUT: return "timeout";
    case CC_ERR_PROTOCOL: return "protocol";
    case CC_ERR_TOO_LARGE: return "too_large";
    case CC_ERR_AUTH: return "auth";
    case CC_ERR_HTTP: return "http";
    case CC_ERR_CLOSED: return "closed";
    case CC_ERR_STATE: return "state";
    case CC_ERR_CRYPTO: return "crypto";
    case CC_ERR_CODEC: return "codec";
  }
  return "unknown";
}

cc_status cc_fail(cc_client *c, cc_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->last_error, sizeof c->last_error, fmt, ap);
  va_end(ap);
  return status;
}

int cc_copy(char *dst, size_t size, const char *src) {
  size_t n = src ? strlen(src) : 0;
  if (n >= size) {
    dst[0] = 0;
    return -1;
  }
  memcpy(dst, src ? src : "", n + 1);
  return 0;
}

static char *dup_or(const char *s, const char *def) {
  const char *v = s ? s : def;
  size_t n = strlen(v) + 1;
  char *out = malloc(n);
  if (out) memcpy(out, v, n);
  return out;
}

cc_status cc_client_create(const cc_config *config, cc_client **out) {
  if (!config || !out || !config->base_url || !config->token) return CC_ERR_ARG;
  *out = NULL;
  if (sodium_init() < 0) return CC_ERR_CRYPTO;
  cc_client *c = calloc(1, sizeof *c);
  if (!c) return CC_ERR_NOMEM;
  c->gw.fd = c->vws.fd = c->udp_fd = -1;
  c->seq = -1;
  c->cfg = *config;
  if (!c->cfg.max_gateway_message) c->cfg.max_gateway_message = DEFAULT_MAX_GATEWAY_MESSAGE;
  if (c->cfg.max_json_depth <= 0) c->cfg.max_json_depth = DEFAULT_JSON_DEPTH;
  if (c->cfg.timeout_ms <= 0) c->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
  c->base_url = dup_or(config->base_url, "");
  c->token = dup_or(config->token, "");
  c->os = dup_or(config->os, "concord-c");
  c->browser = dup_or(config->browser, "concord-c");
  c->device = dup_or(config->device, "concord-c");
  c->cfg.mode = NULL;
  if (config->mode && cc_mode_from_name(config->mode) == CC_MODE_NONE) {
    cc_client_destroy(c);
    return CC_ERR_ARG;
  }
  c->cfg.mode = config->mode ? cc_mode_name(cc_mode_from_name(config->mode)) : NULL;
  if (!c->base_url || !c->token || !c->os || !c->browser || !c->device) {
    cc_client_destroy(c);
    return CC_ERR_NOMEM;
  }
  *out = c;
  if (cc_url_parse(c->base_url, 80, &c->base) != 0)
    return cc_fail(c, CC_ERR_ARG, "base URL %s: expected http://host:port (TLS: see README.md)", c->base_url);
  cc_url gw = c->base;
  if (snprintf(gw.path, sizeof gw.path, "%s/?v=10&encoding=json", c->base.path) >= (int)sizeof gw.path)
    return cc_fail(c, CC_ERR_ARG, "base URL path too long");
  char err[256] = "";
  cc_status st = cc_ws_connect(&c->gw, &gw, c->cfg.timeout_ms, c->cfg.max_gateway_message, err, sizeof err);
  if (st != CC_OK) return cc_fail(c, st, "gateway: %s", err);
  return CC_OK;
}

/* Handles every complete message of one WebSocket; a close becomes the session's error. */
static cc_status pump(cc_client *c, cc_ws *ws, int voice) {
  cc_status st = cc_ws_fill(ws);
  while (st == CC_OK) {
    cc_ws_message m;
    st = cc_ws_next(ws, &m);
    if (st == CC_ERR_TIMEOUT) return CC_OK; /* nothing more complete yet */
    if (st == CC_ERR_CLOSED) {
      c->close_code = ws->close_code;
      if (voice) {
        /* Voice ending is not the session ending: the game may disconnect a player from voice and keep them. */
        int code = ws->close_code;
        cc_voice_teardown(c, 0);
        if (c->cfg.callbacks.on_voice_closed) c->cfg.callbacks.on_voice_closed(c->cfg.user, code);
        return CC_OK;
      }
      const char *which = "gateway";
      if (!voice && ws->close_code == 4004) return cc_fail(c, CC_ERR_AUTH, "gateway closed 4004: token refused");
      return cc_fail(c, CC_ERR_CLOSED, "%s closed (code %d)", which, ws->close_code);
    }
    if (st != CC_OK) return cc_fail(c, st, "%s frame refused: %s", voice ? "voice gateway" : "gateway", cc_status_name(st));
    if (m.opcode != 1) {
      /* Binary frames are DAVE's, which this client never negotiates; zlib is never asked for. */
      return cc_fail(c, CC_ERR_PROTOCOL, "unexpected binary frame from the %s", voice ? "voice gateway" : "gateway");
    }
    st = voice ? cc_voice_on_message(c, m.data, m.length) : cc_gateway_on_message(c, m.data, m.length);
  }
  return st;
}

cc_status cc_client_step(cc_client *c, int timeout_ms) {
  if (!c) return CC_ERR_ARG;
  if (c->gw.fd < 0) return CC_ERR_CLOSED;
  int64_t now = cc_now_ms();
  /* Never sleep through a heartbeat. */
  int wait = timeout_ms;
  if (c->gw_interval > 0 && c->gw_next_beat - now < wait) wait = (int)(c->gw_next_beat - now);
  if (c->v_interval > 0 && c->phase >= CC_VOICE_HANDSHAKE && c->v_next_beat - now < wait)
    wait = (int)(c->v_next_beat - now);
  if (wait < 0) wait = 0;
  struct pollfd fds[3];
  nfds_t n = 0;
  fds[n++] = (struct pollfd){.fd = c->gw.fd, .events = POLLIN};
  if (c->phase >= CC_VOICE_HANDSHAKE && c->vws.fd >= 0) fds[n++] = (struct pollfd){.fd = c->vws.fd, .events = POLLIN};
  if (c->udp_fd >= 0) fds[n++] = (struct pollfd){.fd = c->udp_fd, .events = POLLIN};
  if (poll(fds, n, wait) < 0) return CC_OK; /* EINTR: the caller steps again */
  cc_status st = pump(c, &c->gw, 0);
  if (st == CC_OK && c->phase >= CC_VOICE_HANDSHAKE) st = pump(c, &c->vws, 1);
  if (st == CC_OK) st = cc_udp_receive(c);
  now = cc_now_ms();
  if (st == CC_OK) st = cc_gateway_tick(c, now);
  if (st == CC_OK && c->phase >= CC_VOICE_HANDSHAKE) st = cc_voice_tick(c, now);
  return st;
}

int cc_client_is_ready(const cc_client *c) { return c && c->ready; }
const char *cc_client_user_id(const cc_client *c) { return c && c->ready ? c->user_id : NULL; }
int cc_client_voice_ready(const cc_client *c) { return c && c->phase == CC_VOICE_READY; }
const char *cc_client_last_error(const cc_client *c) { return c ? c->last_error : "no client"; }
int cc_client_last_http_status(const cc_client *c) { return c ? c->http_status : 0; }
int cc_client_close_code(const cc_client *c) { return c ? c->close_code : 0; }

static cc_status voice_update(cc_client *c, const char *guild_id, const char *channel_id) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "guild_id", guild_id);
  if (channel_id)
    cJSON_AddStringToObject(d, "channel_id", channel_id);
  else
    cJSON_AddNullToObject(d, "channel_id");
  cJSON_AddFalseToObject(d, "self_mute");
  cJSON_AddFalseToObject(d, "self_deaf");
  return cc_gateway_send(c, 4, d);
}

cc_status cc_client_join_voice(cc_client *c, const char *guild_id, const char *channel_id) {
  if (!c || !guild_id || !channel_id) return CC_ERR_ARG;
  if (!c->ready) return cc_fail(c, CC_ERR_STATE, "join_voice before READY");
  if (c->phase != CC_VOICE_IDLE) return cc_fail(c, CC_ERR_STATE, "already in voice");
  if (cc_copy(c->guild_id, sizeof c->guild_id, guild_id) || cc_copy(c->channel_id, sizeof c->channel_id, channel_id))
    return cc_fail(c, CC_ERR_ARG, "guild or channel id too long");
  c->phase = CC_VOICE_REQUESTED;
  c->have_state = c->have_server = 0;
  return voice_update(c, guild_id, channel_id);
}

cc_status cc_client_leave_voice(cc_client *c) {
  if (!c) return CC_ERR_ARG;
  if (c->phase == CC_VOICE_IDLE) return CC_OK;
  cc_voice_teardown(c, 1000);
  return voice_update(c, c->guild_id, NULL);
}

cc_status cc_client_send_opus(cc_client *c, const uint8_t *opus, size_t length) {
  if (!c || !opus || length == 0) return CC_ERR_ARG;
  return cc_udp_send_opus(c, opus, length);
}

cc_status cc_client_send_pcm(cc_client *c, const int16_t *pcm, size_t frames) {
  if (!c || !pcm || frames != CC_FRAME_SAMPLES) return CC_ERR_ARG;
  if (c->phase != CC_VOICE_READY) return cc_fail(c, CC_ERR_STATE, "voice is not ready");
  uint8_t opus[4000];
  long n = cc_opus_encode(c->encoder, pcm, opus, sizeof opus);
  if (n <= 0) return cc_fail(c, CC_ERR_CODEC, "opus encode failed");
  return cc_udp_send_opus(c, opus, (size_t)n);
}

cc_status cc_client_send_position(cc_client *c, double x, double y, double z, double yaw) {
  if (!c) return CC_ERR_ARG;
  return cc_voice_position(c, x, y, z, yaw);
}

cc_status cc_client_stop_speaking(cc_client *c) {
  if (!c) return CC_ERR_ARG;
  if (c->phase != CC_VOICE_READY || !c->speaking) return CC_OK;
  static const uint8_t silence[3] = {0xF8, 0xFF, 0xFE};
  for (int i = 0; i < 5; i++) {
    cc_status st = cc_udp_send_opus(c, silence, sizeof silence);
    if (st != CC_OK) return st;
  }
  return cc_voice_speaking(c, 0);
}

/* A REST or game API call with the player's token; 2xx → CC_OK and the parsed answer (may be NULL). */
static cc_status call(cc_client *c, const char *method, const char *path, cJSON *body, cJSON **answer) {
  char *json = body ? cJSON_PrintUnformatted(body) : NULL;
  cJSON_Delete(body);
  size_t auth_len = strlen(c->token) + 8;
  char *auth = malloc(auth_len);
  if (!auth || (body && !json)) {
    free(auth);
    free(json);
    return CC_ERR_NOMEM;
  }
  snprintf(auth, auth_len, "Bearer %s", c->token);
  cc_http_response res;
  char err[256] = "";
  cc_status st = cc_http_request(&c->base, method, path, auth, json, c->cfg.timeout_ms, MAX_REST_ANSWER, &res, err,
                                 sizeof err);
  free(auth);
  free(json);
  if (st != CC_OK) return cc_fail(c, st, "%s", err);
  c->http_status = res.status;
  cJSON *parsed = res.body_len ? cc_json_parse(res.body, res.body_len, MAX_REST_ANSWER, c->cfg.max_json_depth) : NULL;
  if (res.status < 200 || res.status > 299) {
    const cJSON *code = parsed ? cJSON_GetObjectItemCaseSensitive(parsed, "code") : NULL;
    const char *message = parsed ? cc_json_str(parsed, "message") : NULL;
    char code_text[64] = "";
    if (cJSON_IsString(code)) snprintf(code_text, sizeof code_text, "%s", code->valuestring);
    if (cJSON_IsNumber(code)) snprintf(code_text, sizeof code_text, "%.0f", code->valuedouble);
    st = cc_fail(c, res.status == 401 ? CC_ERR_AUTH : CC_ERR_HTTP, "%s %s: HTTP %d %s %s", method, path, res.status,
                 code_text, message ? message : "");
    cJSON_Delete(parsed);
    free(res.body);
    return st;
  }
  free(res.body);
  if (answer)
    *answer = parsed;
  else
    cJSON_Delete(parsed);
  return CC_OK;
}

/* Ids go into paths: digits only (snowflakes), so nothing can change the request's shape. */
static int is_id(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n >= CC_ID_MAX) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

cc_status cc_client_post_message(cc_client *c, const char *channel_id, const char *content, char *id_out,
                                 size_t id_size) {
  if (!c || !is_id(channel_id) || !content || strlen(content) > MAX_CONTENT) return CC_ERR_ARG;
  char path[96];
  snprintf(path, sizeof path, "/api/v10/channels/%s/messages", channel_id);
  cJSON *body = cJSON_CreateObject();
  cJSON_AddStringToObject(body, "content", content);
  cJSON *answer = NULL;
  cc_status st = call(c, "POST", path, body, &answer);
  if (st == CC_OK && id_out && id_size) {
    const char *id = cc_json_str(answer, "id");
    if (!id || cc_copy(id_out, id_size, id)) st = cc_fail(c, CC_ERR_PROTOCOL, "the new message has no id");
  }
  cJSON_Delete(answer);
  return st;
}

cc_status cc_client_join_party(cc_client *c, const char *party_id, const char *join_token) {
  if (!c || !is_id(party_id)) return CC_ERR_ARG;
  char path[96];
  snprintf(path, sizeof path, "/games/v1/parties/%s/join", party_id);
  cJSON *body = cJSON_CreateObject();
  if (join_token) cJSON_AddStringToObject(body, "token", join_token);
  return call(c, "POST", path, body, NULL);
}

void cc_client_destroy(cc_client *c) {
  if (!c) return;
  if (c->phase != CC_VOICE_IDLE) cc_voice_teardown(c, 1000);
  if (c->gw.in || c->gw.fd >= 0) cc_ws_close(&c->gw, 1000);
  free(c->base_url);
  free(c->token);
  free(c->os);
  free(c->browser);
  free(c->device);
  sodium_memzero(c, sizeof *c);
  free(c);
}
