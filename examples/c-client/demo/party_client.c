/*
 * party_client: joins a game party's text and voice with a player token, as an engine plugin would
 * (docs/ENGINE-CONTRACT.md). Prints one JSON object per line on stdout; exits 0 when everything worked, 1 with an
 * {"event":"error"} line (and the detail on stderr) on any protocol error.
 *
 *   party_client <base-url> <player-token> <party-channel-id> [join-token]
 *
 * or the environment: CONCORD_URL, CONCORD_TOKEN, CONCORD_CHANNEL_ID, CONCORD_JOIN_TOKEN (optional). Also optional:
 * CONCORD_GUILD_ID (default: the guild of the first GUILD_CREATE), CONCORD_SECONDS (tone length, default 3),
 * CONCORD_TONE_HZ (default 660), CONCORD_MESSAGE (posted in the party's text), CONCORD_EXPECT_MESSAGES (wait for this
 * many messages from others before leaving, default 0), CONCORD_MODE (an encryption mode), CONCORD_TIMEOUT_MS
 * (each wait, default 15000), CONCORD_POSITION ("x,y,z,yaw": sent as a trusted-mode position, op 1001, once voice
 * is up and then every second of the tone).
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "concord_client.h"

#define MAX_SPEAKERS 16

typedef struct speaker_stats {
  uint32_t ssrc;
  char user_id[32];
  long packets;
  double sum_squares; /* over voiced samples, left channel, normalised to [-1, 1] */
  long voiced_samples;
  /* Per voiced frame: upward zero crossings after the first, and the samples they span (periods and their length). */
  long periods;
  long period_samples;
} speaker_stats;

typedef struct demo {
  const char *channel_id;
  char guild_id[32];
  char user_id[32];
  int expect_messages, messages_from_others, saw_own_voice_state, voice_closed;
  speaker_stats speakers[MAX_SPEAKERS];
  int speaker_count;
} demo;

static void emit(cJSON *o) {
  char *s = cJSON_PrintUnformatted(o);
  if (s) puts(s);
  free(s);
  cJSON_Delete(o);
}

static cJSON *event(const char *name) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "event", name);
  return o;
}

static void on_ready(void *u, const char *user_id, const char *username, const char *session_id) {
  demo *d = u;
  snprintf(d->user_id, sizeof d->user_id, "%s", user_id);
  cJSON *o = event("ready");
  cJSON_AddStringToObject(o, "user_id", user_id);
  cJSON_AddStringToObject(o, "username", username);
  cJSON_AddStringToObject(o, "session_id", session_id);
  emit(o);
}

static void on_guild(void *u, const char *guild_id, const char *name) {
  demo *d = u;
  if (!d->guild_id[0] && guild_id) snprintf(d->guild_id, sizeof d->guild_id, "%s", guild_id);
  cJSON *o = event("guild_create");
  cJSON_AddStringToObject(o, "guild_id", guild_id ? guild_id : "");
  cJSON_AddStringToObject(o, "name", name ? name : "");
  emit(o);
}

static void on_message(void *u, const cc_message *m) {
  demo *d = u;
  int own = m->author_id && strcmp(m->author_id, d->user_id) == 0;
  if (!own) d->messages_from_others++;
  cJSON *o = event("message_create");
  cJSON_AddStringToObject(o, "id", m->id);
  cJSON_AddStringToObject(o, "channel_id", m->channel_id);
  cJSON_AddStringToObject(o, "author_id", m->author_id ? m->author_id : "");
  cJSON_AddStringToObject(o, "author", m->author_username ? m->author_username : "");
  cJSON_AddStringToObject(o, "content", m->content ? m->content : "");
  cJSON_AddBoolToObject(o, "own", own);
  emit(o);
}

static void on_voice_state(void *u, const cc_voice_state *s) {
  demo *d = u;
  if (strcmp(s->user_id, d->user_id) == 0 && s->channel_id && strcmp(s->channel_id, d->channel_id) == 0)
    d->saw_own_voice_state = 1;
  cJSON *o = event("voice_state");
  cJSON_AddStringToObject(o, "user_id", s->user_id);
  if (s->channel_id)
    cJSON_AddStringToObject(o, "channel_id", s->channel_id);
  else
    cJSON_AddNullToObject(o, "channel_id");
  emit(o);
}

static void on_voice_ready(void *u, uint32_t ssrc, const char *mode) {
  (void)u;
  cJSON *o = event("voice_ready");
  cJSON_AddNumberToObject(o, "ssrc", ssrc);
  cJSON_AddStringToObject(o, "mode", mode);
  emit(o);
}

static void on_voice_closed(void *u, int code) {
  demo *d = u;
  d->voice_closed = 1;
  cJSON *o = event("voice_closed");
  cJSON_AddNumberToObject(o, "code", code);
  emit(o);
}

static void on_audio(void *u, const cc_audio_frame *f) {
  demo *d = u;
  speaker_stats *s = NULL;
  for (int i = 0; i < d->speaker_count; i++)
    if (d->speakers[i].ssrc == f->ssrc) s = &d->speakers[i];
  if (!s) {
    if (d->speaker_count == MAX_SPEAKERS) return;
    s = &d->speakers[d->speaker_count++];
    memset(s, 0, sizeof *s);
    s->ssrc = f->ssrc;
  }
  if (f->user_id && !s->user_id[0]) snprintf(s->user_id, sizeof s->user_id, "%s", f->user_id);
  s->packets++;
  /* Frames that are (nearly) silent — the silence frames, the decoder's start — would skew the tone's figures. */
  double frame_squares = 0;
  for (size_t i = 0; i < f->frames; i++) {
    double v = f->pcm[2 * i] / 32768.0;
    frame_squares += v * v;
  }
  if (sqrt(frame_squares / (double)f->frames) < 0.01) return;
  s->sum_squares += frame_squares;
  s->voiced_samples += (long)f->frames;
  long first = -1, last = -1, crossings = 0;
  for (size_t i = 1; i < f->frames; i++) {
    if (f->pcm[2 * (i - 1)] < 0 && f->pcm[2 * i] >= 0) {
      if (first < 0) first = (long)i;
      last = (long)i;
      crossings++;
    }
  }
  if (crossings >= 2) {
    s->periods += crossings - 1;
    s->period_samples += last - first;
  }
}

static int env_int(const char *name, int def) {
  const char *v = getenv(name);
  return v && *v ? atoi(v) : def;
}

static int fail(cc_client *c, cc_status st, const char *what) {
  const char *detail = c ? cc_client_last_error(c) : "";
  cJSON *o = event("error");
  cJSON_AddStringToObject(o, "during", what);
  cJSON_AddStringToObject(o, "status", cc_status_name(st));
  cJSON_AddStringToObject(o, "message", detail);
  emit(o);
  fprintf(stderr, "party_client: %s: %s: %s\n", what, cc_status_name(st), detail);
  cc_client_destroy(c);
  return 1;
}

/* Steps until done(d) or the timeout; the step's error, or CC_ERR_TIMEOUT. */
static cc_status step_until(cc_client *c, demo *d, int (*done)(cc_client *, demo *), int timeout_ms) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (!done(c, d)) {
    cc_status st = cc_client_step(c, 20);
    if (st != CC_OK) return st;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms) return CC_ERR_TIMEOUT;
  }
  return CC_OK;
}

static int is_ready(cc_client *c, demo *d) { return cc_client_is_ready(c) && d->guild_id[0]; }
static int is_voice_ready(cc_client *c, demo *d) { return cc_client_voice_ready(c) && d->saw_own_voice_state; }
static int has_messages(cc_client *c, demo *d) {
  (void)c;
  return d->messages_from_others >= d->expect_messages;
}

/* CONCORD_POSITION, when set: 1 with the four numbers, 0 when unset, -1 when malformed. */
static int position_from_env(double p[4]) {
  const char *v = getenv("CONCORD_POSITION");
  if (!v || !*v) return 0;
  return sscanf(v, "%lf,%lf,%lf,%lf", &p[0], &p[1], &p[2], &p[3]) == 4 ? 1 : -1;
}

/* Plays `seconds` of a stereo tone, one 20 ms frame per 20 ms of wall time, stepping the client in between. */
static cc_status play_tone(cc_client *c, double hz, int seconds) {
  double pos[4];
  int has_position = position_from_env(pos) == 1;
  int16_t pcm[960 * 2];
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  long n = 0;
  for (int frame = 0; frame < seconds * 50; frame++) {
    for (int i = 0; i < 960; i++, n++) {
      int16_t v = (int16_t)lrint(0.4 * 32767 * sin(2 * 3.14159265358979323846 * hz * (double)n / 48000.0));
      pcm[2 * i] = pcm[2 * i + 1] = v;
    }
    /* The game may disconnect us from voice meanwhile (on_voice_closed): the tone ends there, the session goes on. */
    if (!cc_client_voice_ready(c)) return CC_OK;
    cc_status st = has_position && frame % 50 == 0 ? cc_client_send_position(c, pos[0], pos[1], pos[2], pos[3]) : CC_OK;
    if (st == CC_OK) st = cc_client_send_pcm(c, pcm, 960);
    if (st != CC_OK) return st;
    next.tv_nsec += 20000000;
    if (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      next.tv_sec++;
    }
    for (;;) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long left = (next.tv_sec - now.tv_sec) * 1000 + (next.tv_nsec - now.tv_nsec) / 1000000;
      if (left <= 0) break;
      st = cc_client_step(c, (int)left);
      if (st != CC_OK) return st;
    }
  }
  return cc_client_stop_speaking(c);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *url = argc > 1 ? argv[1] : getenv("CONCORD_URL");
  const char *token = argc > 2 ? argv[2] : getenv("CONCORD_TOKEN");
  const char *channel = argc > 3 ? argv[3] : getenv("CONCORD_CHANNEL_ID");
  const char *join_token = argc > 4 ? argv[4] : getenv("CONCORD_JOIN_TOKEN");
  if (!url || !token || !channel) {
    fprintf(stderr, "usage: party_client <base-url> <player-token> <party-channel-id> [join-token]\n");
    return 2;
  }
  demo d;
  memset(&d, 0, sizeof d);
  d.channel_id = channel;
  d.expect_messages = env_int("CONCORD_EXPECT_MESSAGES", 0);
  const char *guild = getenv("CONCORD_GUILD_ID");
  if (guild) snprintf(d.guild_id, sizeof d.guild_id, "%s", guild);
  int timeout = env_int("CONCORD_TIMEOUT_MS", 15000);
  const char *message = getenv("CONCORD_MESSAGE") ? getenv("CONCORD_MESSAGE") : "hello from a C client";

  cc_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.base_url = url;
  cfg.token = token;
  cfg.os = "linux";
  cfg.browser = "concord-c-demo";
  cfg.device = "concord-c-demo";
  cfg.mode = getenv("CONCORD_MODE") && *getenv("CONCORD_MODE") ? getenv("CONCORD_MODE") : NULL;
  cfg.callbacks = (cc_callbacks){.on_ready = on_ready,
                                 .on_guild_create = on_guild,
                                 .on_message_create = on_message,
                                 .on_voice_state = on_voice_state,
                                 .on_voice_ready = on_voice_ready,
                                 .on_voice_closed = on_voice_closed,
                                 .on_audio = on_audio};
  cfg.user = &d;
  cc_client *c = NULL;
  cc_status st = cc_client_create(&cfg, &c);
  if (st != CC_OK) return fail(c, st, "connect");
  if ((st = step_until(c, &d, is_ready, timeout)) != CC_OK) return fail(c, st, "waiting for READY and GUILD_CREATE");
  if (join_token && *join_token) {
    if ((st = cc_client_join_party(c, channel, join_token)) != CC_OK) return fail(c, st, "joining the party");
    emit(event("party_joined"));
  }
  if ((st = cc_client_join_voice(c, d.guild_id, channel)) != CC_OK) return fail(c, st, "joining voice");
  if ((st = step_until(c, &d, is_voice_ready, timeout)) != CC_OK) return fail(c, st, "voice handshake");
  double pos[4];
  if (position_from_env(pos) < 0) return fail(c, CC_ERR_ARG, "CONCORD_POSITION is not x,y,z,yaw");
  char id[32];
  if ((st = cc_client_post_message(c, channel, message, id, sizeof id)) != CC_OK) return fail(c, st, "posting");
  cJSON *sent = event("message_sent");
  cJSON_AddStringToObject(sent, "id", id);
  emit(sent);
  if ((st = play_tone(c, env_int("CONCORD_TONE_HZ", 660), env_int("CONCORD_SECONDS", 3))) != CC_OK)
    return fail(c, st, "sending audio");
  if ((st = step_until(c, &d, has_messages, timeout)) != CC_OK) return fail(c, st, "waiting for messages");
  for (int i = 0; i < d.speaker_count; i++) {
    speaker_stats *s = &d.speakers[i];
    cJSON *o = event("audio");
    cJSON_AddNumberToObject(o, "ssrc", s->ssrc);
    cJSON_AddStringToObject(o, "user_id", s->user_id);
    cJSON_AddNumberToObject(o, "packets", (double)s->packets);
    cJSON_AddNumberToObject(o, "voiced_ms", (double)s->voiced_samples / 48.0);
    double rms = s->voiced_samples ? sqrt(s->sum_squares / (double)s->voiced_samples) : 0;
    cJSON_AddNumberToObject(o, "rms", round(rms * 1000) / 1000);
    double hz = s->period_samples ? (double)s->periods * 48000.0 / (double)s->period_samples : 0;
    cJSON_AddNumberToObject(o, "frequency", round(hz));
    emit(o);
  }
  if ((st = cc_client_leave_voice(c)) != CC_OK) return fail(c, st, "leaving voice");
  cc_client_step(c, 100);
  cc_client_destroy(c);
  emit(event("done"));
  return 0;
}
