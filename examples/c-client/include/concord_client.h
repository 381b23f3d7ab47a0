/*
 * concord_client: a small C11 client for Concord's engine wire contract, version 1 (docs/ENGINE-CONTRACT.md):
 * the gateway (v10, JSON) with a player token, REST posts, the game API's party join, and voice (voice gateway v8,
 * UDP, Opus in RTP with `aead_aes256_gcm_rtpsize` or `aead_xchacha20_poly1305_rtpsize`).
 *
 * Threading: a client is not thread-safe. Drive it from one thread: either the engine's main loop calls
 * cc_client_step(client, 0) once per frame, or a worker thread calls cc_client_step(client, 20) in a loop and hands
 * events to the game. Callbacks run inside cc_client_step (or inside the call that caused them), on that thread.
 *
 * Transport: plain ws:// and http:// only. TLS (wss://, https://) is the integrator's job: terminate it in front of
 * the server, or put the engine's TLS stack into src/net.c, the one file that touches TCP sockets (README.md, "TLS").
 */
#ifndef CONCORD_CLIENT_H
#define CONCORD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Every call returns one of these; cc_client_last_error() has the human-readable detail of the last failure. */
typedef enum cc_status {
  CC_OK = 0,
  CC_ERR_ARG = -1,       /* a bad argument (NULL, too long, wrong frame size) */
  CC_ERR_NOMEM = -2,     /* allocation failed */
  CC_ERR_IO = -3,        /* socket error, connection refused or dropped */
  CC_ERR_TIMEOUT = -4,   /* the peer did not answer in time */
  CC_ERR_PROTOCOL = -5,  /* the peer sent something the contract does not allow (bad frame, bad JSON, bad packet) */
  CC_ERR_TOO_LARGE = -6, /* a message over the configured bound */
  CC_ERR_AUTH = -7,      /* the player token was refused (gateway close 4004, HTTP 401): get a new one */
  CC_ERR_HTTP = -8,      /* a REST / game API call answered with a non-2xx status (cc_client_last_http_status) */
  CC_ERR_CLOSED = -9,    /* the gateway or voice connection closed (cc_client_close_code) */
  CC_ERR_STATE = -10,    /* not possible now (voice not ready, already joined) */
  CC_ERR_CRYPTO = -11,   /* libsodium unavailable, no common encryption mode */
  CC_ERR_CODEC = -12     /* Opus encoder/decoder failure */
} cc_status;

const char *cc_status_name(cc_status status);

typedef struct cc_client cc_client;

/** A MESSAGE_CREATE, as the contract lists its fields. Strings are valid only during the callback. */
typedef struct cc_message {
  const char *id;
  const char *channel_id;
  const char *author_id;
  const char *author_username;
  const char *content;
  const char *timestamp;
} cc_message;

/** A VOICE_STATE_UPDATE. channel_id is NULL when the user left voice (or was disconnected by the game). */
typedef struct cc_voice_state {
  const char *user_id;
  const char *channel_id;
  int mute, deaf, self_mute, self_deaf;
} cc_voice_state;

/** One decoded 20 ms frame from one speaker: 48 kHz, stereo, interleaved (frames * 2 samples). */
typedef struct cc_audio_frame {
  uint32_t ssrc;
  const char *user_id; /* from the voice server's op 5 Speaking; NULL until it named the SSRC */
  const int16_t *pcm;
  size_t frames; /* samples per channel (960 for 20 ms) */
  uint16_t sequence;
  uint32_t timestamp;
} cc_audio_frame;

typedef struct cc_callbacks {
  void (*on_ready)(void *user, const char *user_id, const char *username, const char *session_id);
  void (*on_guild_create)(void *user, const char *guild_id, const char *name);
  void (*on_message_create)(void *user, const cc_message *message);
  void (*on_voice_state)(void *user, const cc_voice_state *state);
  /** The voice connection can send and receive audio (after the Session Description). */
  void (*on_voice_ready)(void *user, uint32_t ssrc, const char *mode);
  void (*on_audio)(void *user, const cc_audio_frame *frame);
  /**
   * The voice connection ended without cc_client_leave_voice: the game disconnected the player (4014), the channel
   * was deleted, or the voice server went away. The gateway session goes on; cc_client_join_voice may be called
   * again (not from inside this callback).
   */
  void (*on_voice_closed)(void *user, int close_code);
  /** Any other dispatch (t, raw JSON of d), for events this library does not model. May be NULL. */
  void (*on_dispatch)(void *user, const char *type, const char *json);
} cc_callbacks;

typedef struct cc_config {
  /** http://host:port of the server (REST at /api/v10, game API at /games/v1, gateway at ws://host:port/). */
  const char *base_url;
  /** The player token the game backend issued (sent as is in Identify, as `Bearer` on REST). */
  const char *token;
  /** Identify `properties` (the engine's names). NULL: "concord-c". */
  const char *os, *browser, *device;
  /** Largest gateway message accepted, bytes (0: 4 MiB). GUILD_CREATE of a big guild is the largest. */
  size_t max_gateway_message;
  /** Deepest JSON nesting accepted (0: 64). */
  int max_json_depth;
  /** Encryption mode to ask for: NULL picks aead_aes256_gcm_rtpsize when this CPU has AES-NI, else XChaCha20. */
  const char *mode;
  /** Connect / handshake / REST timeout, ms (0: 5000). */
  int timeout_ms;
  cc_callbacks callbacks;
  void *user;
} cc_config;

/**
 * Opens the gateway connection (TCP + WebSocket handshake, blocking up to timeout_ms). Hello, Identify and READY
 * happen in the following cc_client_step calls; on_ready says when the session is up. When it fails after the
 * client was allocated, *out is set anyway so cc_client_last_error() can say why: destroy it afterwards.
 */
cc_status cc_client_create(const cc_config *config, cc_client **out);

/**
 * Reads what arrived (waiting up to timeout_ms, 0 = do not wait), runs callbacks, sends heartbeats that are due.
 * Any error is fatal for the session: destroy the client (and create a new one to reconnect).
 */
cc_status cc_client_step(cc_client *client, int timeout_ms);

/** 1 once READY arrived. */
int cc_client_is_ready(const cc_client *client);
/** Our user id (from READY), or NULL before it. */
const char *cc_client_user_id(const cc_client *client);

/**
 * Gateway op 4 into a voice channel (a party's channel id); the voice connection follows in cc_client_step
 * (VOICE_STATE_UPDATE + VOICE_SERVER_UPDATE, voice gateway, IP discovery, Select Protocol); on_voice_ready when done.
 * The step that runs IP discovery waits for its answer (up to 2.5 s, loopback or LAN: a round trip).
 */
cc_status cc_client_join_voice(cc_client *client, const char *guild_id, const char *channel_id);
/** Op 4 with channel_id null and the voice connection closed (code 1000: leaves at once). */
cc_status cc_client_leave_voice(cc_client *client);
/** 1 when audio can be sent. */
int cc_client_voice_ready(const cc_client *client);

/** Encodes and sends one 20 ms frame: 960 samples per channel, stereo interleaved, 48 kHz. The caller paces. */
cc_status cc_client_send_pcm(cc_client *client, const int16_t *pcm, size_t frames);
/** Sends one already-encoded Opus frame (48 kHz stereo, 20 ms). */
cc_status cc_client_send_opus(cc_client *client, const uint8_t *opus, size_t length);
/**
 * Trusted mode (docs/ENGINE-CONTRACT.md 4.1): our position on the voice connection (op 1001), for a channel the game
 * made positional with positionSource "client"; elsewhere the server ignores it. x, y, z within +-1e9, yaw (radians,
 * 0 faces +y) within +-100, all finite, else CC_ERR_ARG. Send at most the channel's rate (default 60 per second).
 */
cc_status cc_client_send_position(cc_client *client, double x, double y, double z, double yaw);
/** The five silence frames a pause starts with, then Speaking 0. */
cc_status cc_client_stop_speaking(cc_client *client);

/**
 * POST /api/v10/channels/{id}/messages. Blocking (up to timeout_ms): call it from a worker thread in an engine.
 * The new message's id is written to id_out when given (room for 32 bytes).
 */
cc_status cc_client_post_message(cc_client *client, const char *channel_id, const char *content, char *id_out,
                                 size_t id_size);
/** Game API POST /games/v1/parties/{id}/join with a join token (NULL for an open party). Blocking. */
cc_status cc_client_join_party(cc_client *client, const char *party_id, const char *join_token);

/** Detail of the last failure (never NULL). */
const char *cc_client_last_error(const cc_client *client);
/** The HTTP status of the last REST call (0 before any). */
int cc_client_last_http_status(const cc_client *client);
/** The close code of the connection that closed (gateway or voice; 0 when none did). */
int cc_client_close_code(const cc_client *client);

/** Closes everything (voice first, gateway with 1000) and frees the client. NULL is fine. */
void cc_client_destroy(cc_client *client);

#ifdef __cplusplus
}
#endif
#endif
