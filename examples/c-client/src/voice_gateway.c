/* The voice gateway, version 8 (docs/protocol.md, "Voice gateway"): Hello, Identify, Ready, Select Protocol with the
 * address IP discovery found, the Session Description's key, Speaking, and heartbeats carrying seq_ack. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_state.h"

static cc_status vsend(cc_client *c, int op, cJSON *d) {
  cJSON *p = cJSON_CreateObject();
  if (!p) {
    cJSON_Delete(d);
    return CC_ERR_NOMEM;
  }
  cJSON_AddNumberToObject(p, "op", op);
  cJSON_AddItemToObject(p, "d", d);
  char *text = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  if (!text) return CC_ERR_NOMEM;
  cc_status st = cc_ws_send_text(&c->vws, text, strlen(text));
  free(text);
  return st == CC_OK ? CC_OK : cc_fail(c, st, "voice gateway send failed");
}

cc_status cc_voice_open(cc_client *c) {
  cc_url url;
  if (cc_url_parse(c->voice_endpoint, 80, &url) != 0)
    return cc_fail(c, CC_ERR_PROTOCOL, "voice endpoint %s is not host:port (TLS endpoints need an integrator's TLS)",
                   c->voice_endpoint);
  cc_copy(url.path, sizeof url.path, "/?v=8");
  char err[256] = "";
  cc_status st = cc_ws_connect(&c->vws, &url, c->cfg.timeout_ms, CC_VOICE_MAX_MESSAGE, err, sizeof err);
  if (st != CC_OK) return cc_fail(c, st, "voice gateway %s: %s", c->voice_endpoint, err);
  c->phase = CC_VOICE_HANDSHAKE;
  c->v_seq = -1;
  c->v_interval = 0;
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "server_id", c->guild_id);
  cJSON_AddStringToObject(d, "user_id", c->user_id);
  cJSON_AddStringToObject(d, "session_id", c->voice_session);
  cJSON_AddStringToObject(d, "token", c->voice_token);
  return vsend(c, 0, d);
}

cc_speaker *cc_voice_speaker(cc_client *c, uint32_t ssrc, int create) {
  for (size_t i = 0; i < c->speaker_count; i++)
    if (c->speakers[i].ssrc == ssrc) return &c->speakers[i];
  if (!create || c->speaker_count == CC_MAX_SPEAKERS) return NULL; /* bounded: extra SSRCs are dropped */
  cc_speaker *s = &c->speakers[c->speaker_count++];
  memset(s, 0, sizeof *s);
  s->ssrc = ssrc;
  return s;
}

/* Picks the mode: the configured one, else AES-GCM where libsodium can do it in hardware, else XChaCha20. */
static cc_mode choose_mode(cc_client *c, const cJSON *modes) {
  cc_mode want[2];
  int n = 0;
  if (c->cfg.mode) {
    want[n++] = cc_mode_from_name(c->cfg.mode);
  } else {
    if (crypto_aead_aes256gcm_is_available()) want[n++] = CC_MODE_AES256_GCM;
    want[n++] = CC_MODE_XCHACHA20;
  }
  for (int i = 0; i < n; i++) {
    if (want[i] == CC_MODE_AES256_GCM && !crypto_aead_aes256gcm_is_available()) continue;
    const cJSON *m;
    cJSON_ArrayForEach(m, modes) {
      if (cJSON_IsString(m) && cc_mode_from_name(m->valuestring) == want[i]) return want[i];
    }
  }
  return CC_MODE_NONE;
}

static cc_status on_ready(cc_client *c, const cJSON *d) {
  long long ssrc = cc_json_int(d, "ssrc", -1);
  long long port = cc_json_int(d, "port", -1);
  const char *ip = cc_json_str(d, "ip");
  if (ssrc < 0 || ssrc > 0xFFFFFFFFLL || port < 1 || port > 65535 || !ip || cc_copy(c->udp_ip, sizeof c->udp_ip, ip))
    return cc_fail(c, CC_ERR_PROTOCOL, "voice Ready without a usable ssrc, ip or port");
  c->ssrc = (uint32_t)ssrc;
  c->udp_port = (int)port;
  c->mode = choose_mode(c, cJSON_GetObjectItemCaseSensitive(d, "modes"));
  if (c->mode == CC_MODE_NONE) return cc_fail(c, CC_ERR_CRYPTO, "no common encryption mode in voice Ready");
  char address[64];
  uint16_t our_port = 0;
  cc_status st = cc_udp_open(c, address, &our_port);
  if (st != CC_OK) return st;
  cJSON *sel = cJSON_CreateObject();
  cJSON_AddStringToObject(sel, "protocol", "udp");
  cJSON *data = cJSON_AddObjectToObject(sel, "data");
  cJSON_AddStringToObject(data, "address", address);
  cJSON_AddNumberToObject(data, "port", our_port);
  cJSON_AddStringToObject(data, "mode", cc_mode_name(c->mode));
  c->phase = CC_VOICE_SELECTING;
  return vsend(c, 1, sel);
}

static cc_status on_session(cc_client *c, const cJSON *d) {
  const cJSON *key = cJSON_GetObjectItemCaseSensitive(d, "secret_key");
  if (!cJSON_IsArray(key) || cJSON_GetArraySize(key) != 32)
    return cc_fail(c, CC_ERR_PROTOCOL, "Session Description without a 32-byte secret_key");
  int i = 0;
  const cJSON *b;
  cJSON_ArrayForEach(b, key) {
    if (!cJSON_IsNumber(b) || b->valuedouble < 0 || b->valuedouble > 255)
      return cc_fail(c, CC_ERR_PROTOCOL, "secret_key byte out of range");
    c->key[i++] = (uint8_t)b->valueint;
  }
  if (cc_mode_from_name(cc_json_str(d, "mode")) != c->mode)
    return cc_fail(c, CC_ERR_PROTOCOL, "Session Description names another mode");
  if (!c->encoder) c->encoder = cc_opus_encoder_new();
  if (!c->encoder) return cc_fail(c, CC_ERR_CODEC, "opus encoder");
  randombytes_buf(&c->rtp_seq, sizeof c->rtp_seq);
  randombytes_buf(&c->rtp_ts, sizeof c->rtp_ts);
  c->nonce = 0;
  c->phase = CC_VOICE_READY;
  if (c->cfg.callbacks.on_voice_ready) c->cfg.callbacks.on_voice_ready(c->cfg.user, c->ssrc, cc_mode_name(c->mode));
  return CC_OK;
}

cc_status cc_voice_on_message(cc_client *c, const uint8_t *data, size_t len) {
  cJSON *p = cc_json_parse((const char *)data, len, CC_VOICE_MAX_MESSAGE, c->cfg.max_json_depth);
  if (!p) return cc_fail(c, CC_ERR_PROTOCOL, "voice gateway sent invalid or too deep JSON");
  long long seq = cc_json_int(p, "seq", -1);
  if (seq >= 0) c->v_seq = seq;
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "d");
  cc_status st = CC_OK;
  switch (cc_json_int(p, "op", -1)) {
    case 8: { /* Hello */
      long long interval = cc_json_int(d, "heartbeat_interval", -1);
      if (interval < 500 || interval > 600000) {
        st = cc_fail(c, CC_ERR_PROTOCOL, "voice Hello with heartbeat_interval %lld", interval);
        break;
      }
      c->v_interval = interval;
      c->v_next_beat = cc_now_ms() + interval / 2;
      break;
    }
    case 2:
      if (c->phase == CC_VOICE_HANDSHAKE) st = on_ready(c, d);
      break;
    case 4:
      if (c->phase == CC_VOICE_SELECTING) st = on_session(c, d);
      break;
    case 5: { /* Speaking: names the SSRC of a user before their audio arrives */
      long long ssrc = cc_json_int(d, "ssrc", -1);
      const char *uid = cc_json_str(d, "user_id");
      if (ssrc >= 0 && ssrc <= 0xFFFFFFFFLL && uid) {
        cc_speaker *s = cc_voice_speaker(c, (uint32_t)ssrc, 1);
        if (s) cc_copy(s->user_id, sizeof s->user_id, uid);
      }
      break;
    }
    default:
      break; /* 6 ACK, 11 Clients Connect, 13 Client Disconnect, and ops added later */
  }
  cJSON_Delete(p);
  return st;
}

cc_status cc_voice_tick(cc_client *c, int64_t now) {
  if (c->v_interval <= 0 || now < c->v_next_beat) return CC_OK;
  c->v_next_beat = now + c->v_interval;
  cJSON *d = cJSON_CreateObject();
  cJSON_AddNumberToObject(d, "t", (double)now);
  if (c->v_seq >= 0) cJSON_AddNumberToObject(d, "seq_ack", (double)c->v_seq);
  return vsend(c, 3, d);
}

cc_status cc_voice_speaking(cc_client *c, int on) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddNumberToObject(d, "speaking", on ? 1 : 0);
  cJSON_AddNumberToObject(d, "delay", 0);
  cJSON_AddNumberToObject(d, "ssrc", c->ssrc);
  c->speaking = on;
  return vsend(c, 5, d);
}

void cc_voice_teardown(cc_client *c, int code) {
  if (c->vws.in || c->vws.fd >= 0) cc_ws_close(&c->vws, code);
  if (c->udp_fd >= 0) close(c->udp_fd);
  c->udp_fd = -1;
  for (size_t i = 0; i < c->speaker_count; i++) cc_opus_decoder_free(c->speakers[i].decoder);
  c->speaker_count = 0;
  cc_opus_encoder_free(c->encoder);
  c->encoder = NULL;
  sodium_memzero(c->key, sizeof c->key);
  c->phase = CC_VOICE_IDLE;
  c->have_state = c->have_server = 0;
  c->speaking = 0;
}

/* The server's bounds on op 1001 (a value outside them closes the connection with 4002): checked before sending. */
#define MAX_COORDINATE 1e9
#define MAX_YAW 100.0

static int bounded(double v, double max) { return isfinite(v) && fabs(v) <= max; }

cc_status cc_voice_position(cc_client *c, double x, double y, double z, double yaw) {
  if (!bounded(x, MAX_COORDINATE) || !bounded(y, MAX_COORDINATE) || !bounded(z, MAX_COORDINATE) || !bounded(yaw, MAX_YAW))
    return cc_fail(c, CC_ERR_ARG, "position out of bounds");
  if (c->phase != CC_VOICE_READY) return cc_fail(c, CC_ERR_STATE, "voice is not ready");
  cJSON *d = cJSON_CreateObject();
  cJSON_AddNumberToObject(d, "x", x);
  cJSON_AddNumberToObject(d, "y", y);
  cJSON_AddNumberToObject(d, "z", z);
  cJSON_AddNumberToObject(d, "yaw", yaw);
  return vsend(c, 1001, d);
}
