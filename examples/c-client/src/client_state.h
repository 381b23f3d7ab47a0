/* The client's state, shared by client.c (the public calls), gateway.c, voice_gateway.c and voice_udp.c. */
#ifndef CC_CLIENT_STATE_H
#define CC_CLIENT_STATE_H

#include <sys/socket.h>

#include "internal.h"

#define CC_MAX_SPEAKERS 64
#define CC_ID_MAX 32 /* a snowflake is at most 20 digits */
#define CC_VOICE_MAX_MESSAGE 65536

typedef struct cc_speaker {
  uint32_t ssrc;
  char user_id[CC_ID_MAX];
  cc_opus_decoder *decoder; /* made on the first packet of this SSRC */
} cc_speaker;

typedef enum cc_voice_phase {
  CC_VOICE_IDLE = 0,
  CC_VOICE_REQUESTED,  /* op 4 sent: waiting for VOICE_STATE_UPDATE and VOICE_SERVER_UPDATE */
  CC_VOICE_HANDSHAKE,  /* voice WebSocket open: Hello, Identify, Ready */
  CC_VOICE_SELECTING,  /* Select Protocol sent: waiting for the Session Description */
  CC_VOICE_READY
} cc_voice_phase;

struct cc_client {
  cc_config cfg; /* strings below are our copies */
  char *base_url, *token, *os, *browser, *device;
  cc_url base;
  char last_error[512];
  int http_status;
  int close_code;

  /* gateway */
  cc_ws gw;
  int identified, ready;
  int64_t gw_interval, gw_next_beat;
  int gw_awaiting_ack;
  long long seq; /* -1: none seen */
  char user_id[CC_ID_MAX], username[64], session_id[128];

  /* voice */
  cc_voice_phase phase;
  char guild_id[CC_ID_MAX], channel_id[CC_ID_MAX];
  char voice_session[128], voice_token[256], voice_endpoint[300];
  int have_state, have_server;
  cc_ws vws;
  int64_t v_interval, v_next_beat;
  long long v_seq; /* last voice `seq` seen (v8), -1: none */
  uint32_t ssrc;
  char udp_ip[64];
  int udp_port;
  int udp_fd;
  cc_mode mode;
  uint8_t key[32];
  uint16_t rtp_seq;
  uint32_t rtp_ts, nonce;
  int speaking;
  cc_opus_encoder *encoder;
  cc_speaker speakers[CC_MAX_SPEAKERS];
  size_t speaker_count;
};

/* Records the failure's detail and returns status. */
cc_status cc_fail(cc_client *c, cc_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Copies src into a fixed buffer; -1 (and an empty dst) when it does not fit. */
int cc_copy(char *dst, size_t size, const char *src);

/* gateway.c */
cc_status cc_gateway_send(cc_client *c, int op, cJSON *d); /* takes ownership of d */
cc_status cc_gateway_on_message(cc_client *c, const uint8_t *data, size_t len);
cc_status cc_gateway_tick(cc_client *c, int64_t now);

/* voice_gateway.c */
cc_status cc_voice_open(cc_client *c);
cc_status cc_voice_on_message(cc_client *c, const uint8_t *data, size_t len);
cc_status cc_voice_tick(cc_client *c, int64_t now);
cc_speaker *cc_voice_speaker(cc_client *c, uint32_t ssrc, int create);
void cc_voice_teardown(cc_client *c, int code);

/* voice_udp.c */
/* Opens the UDP socket to ip:port and runs IP discovery (blocking, a few tries); fills address and port. */
cc_status cc_udp_open(cc_client *c, char address[64], uint16_t *port);
/* Reads and handles every datagram waiting (bounded per call). */
cc_status cc_udp_receive(cc_client *c);
cc_status cc_udp_send_opus(cc_client *c, const uint8_t *opus, size_t len);
/* voice_gateway.c: op 5 Speaking with our SSRC. */
cc_status cc_voice_speaking(cc_client *c, int on);
/* voice_gateway.c: op 1001, trusted-mode position (bounds checked). */
cc_status cc_voice_position(cc_client *c, double x, double y, double z, double yaw);

#endif
