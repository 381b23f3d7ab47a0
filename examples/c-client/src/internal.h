/* Declarations shared by the library's files; not part of the public API. One concern per file, named here. */
#ifndef CC_INTERNAL_H
#define CC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "concord_client.h"

/* ---- net.c: TCP and UDP sockets (the one place a TLS layer would go) ---- */
/* Connects to host:port (a name or IP literal), blocking up to timeout_ms; returns the fd or -1 (err filled). */
int cc_net_connect_tcp(const char *host, int port, int timeout_ms, char *err, size_t err_size);
/* Writes all of buf (blocking, bounded by timeout_ms per wait); 0 or -1. */
int cc_net_send_all(int fd, const void *buf, size_t len, int timeout_ms);
/* Reads what is available without waiting: >0 bytes, 0 nothing yet, -1 error, -2 peer closed. */
long cc_net_recv_some(int fd, void *buf, size_t cap);
/* Waits until fd is readable or timeout_ms passed: 1 readable, 0 timeout, -1 error. */
int cc_net_wait_readable(int fd, int timeout_ms);
/* Monotonic milliseconds. */
int64_t cc_now_ms(void);

/* ---- url.c: http://host:port[/path] and host:port ---- */
typedef struct cc_url {
  char host[256];
  int port;
  char path[512];
} cc_url;
/* Accepts http://, ws:// or no scheme; refuses https:// and wss:// (TLS is the integrator's). 0 or -1. */
int cc_url_parse(const char *text, int default_port, cc_url *out);

/* ---- sha1.c (the WebSocket handshake's Sec-WebSocket-Accept) ---- */
void cc_sha1(const uint8_t *data, size_t len, uint8_t out[20]);

/* ---- ws_frame.c: RFC 6455 frames, bounded ---- */
typedef struct cc_ws_frame {
  int fin;
  int opcode;
  const uint8_t *payload; /* points into the parsed buffer (unmasked in place when masked) */
  size_t length;
  size_t consumed; /* bytes of the buffer the frame used */
} cc_ws_frame;
/*
 * Parses one server frame at buf. Returns 1 (frame in out), 0 (need more bytes), or a negative cc_status: reserved
 * bits set, unknown opcode, control frame over 125 bytes or fragmented, payload over max_payload (checked from the
 * header alone, before anything is buffered), or a masked server frame (RFC 6455 5.1).
 */
int cc_ws_parse_frame(uint8_t *buf, size_t len, size_t max_payload, cc_ws_frame *out);
/* Writes a masked client frame header + payload into out (room: len + 14); returns its size. */
size_t cc_ws_build_frame(int opcode, const uint8_t *payload, size_t len, const uint8_t mask[4], uint8_t *out);

/* ---- ws.c: a WebSocket client connection ---- */
typedef struct cc_ws {
  int fd;
  size_t max_message;
  uint8_t *in; /* received, not yet parsed; capacity max_message + 14 */
  size_t in_len, in_cap;
  uint8_t *msg; /* a fragmented message being reassembled */
  size_t msg_len;
  int msg_opcode; /* 0: none in progress */
  int close_code; /* set when a close frame arrived (1005 without a code); -1 when the TCP side dropped */
  int closed;
} cc_ws;
typedef struct cc_ws_message {
  int opcode; /* 1 text, 2 binary */
  const uint8_t *data;
  size_t length;
} cc_ws_message;
cc_status cc_ws_connect(cc_ws *ws, const cc_url *url, int timeout_ms, size_t max_message, char *err, size_t err_size);
cc_status cc_ws_send_text(cc_ws *ws, const char *text, size_t len);
/* Pulls what the socket has into the buffer (no waiting). */
cc_status cc_ws_fill(cc_ws *ws);
/*
 * The next complete data message: CC_OK with msg filled, CC_ERR_TIMEOUT when none is complete yet, CC_ERR_CLOSED
 * after a close frame, other errors for protocol violations. Pings are answered here. msg is valid until the next
 * call.
 */
cc_status cc_ws_next(cc_ws *ws, cc_ws_message *msg);
void cc_ws_close(cc_ws *ws, int code);
/* The handshake answer check, exposed for the tests: 0 when response accepts key. */
int cc_ws_check_handshake(const char *response, size_t len, const char *key);

/* ---- http_header.c: a header's value in an HTTP/1.1 head (status line first), or NULL ---- */
const char *cc_http_header(const char *head, size_t head_len, const char *name, size_t *value_len);

/* ---- http.c: HTTP/1.1 requests (Connection: close) ---- */
typedef struct cc_http_response {
  int status;
  char *body; /* NUL-terminated, malloc'd; free with free() */
  size_t body_len;
} cc_http_response;
cc_status cc_http_request(const cc_url *base, const char *method, const char *path, const char *authorization,
                          const char *json_body, int timeout_ms, size_t max_response, cc_http_response *out,
                          char *err, size_t err_size);
/*
 * Parses a complete response in buf (status line, headers, Content-Length or chunked body; bounded by len).
 * Returns 1 done (status, body offset/length; a chunked body is decoded in place), 0 need more, <0 malformed.
 */
int cc_http_parse_response(char *buf, size_t len, int *status, size_t *body_off, size_t *body_len);

/* ---- json.c: cJSON with bounds ---- */
/* Parses len bytes when len <= max_len and the nesting is at most max_depth; NULL otherwise. */
cJSON *cc_json_parse(const char *text, size_t len, size_t max_len, int max_depth);
/* A string member, or NULL. */
const char *cc_json_str(const cJSON *obj, const char *key);
/* A number member as an integer (def when absent or not a finite number in range). */
long long cc_json_int(const cJSON *obj, const char *key, long long def);

/* ---- ipdiscovery.c ---- */
#define CC_IP_DISCOVERY_SIZE 74
void cc_ip_discovery_request(uint32_t ssrc, uint8_t out[CC_IP_DISCOVERY_SIZE]);
/* 0 with address (NUL-terminated, at most 63 chars) and port, or -1 when pkt is not a 74-byte response for ssrc. */
int cc_ip_discovery_parse(const uint8_t *pkt, size_t len, uint32_t ssrc, char address[64], uint16_t *port);

/* ---- rtp.c: RTP headers and the _rtpsize AEAD modes ---- */
#define CC_RTP_HEADER 12
#define CC_MAX_PACKET 1500
typedef enum cc_mode { CC_MODE_NONE = 0, CC_MODE_AES256_GCM, CC_MODE_XCHACHA20 } cc_mode;
cc_mode cc_mode_from_name(const char *name);
const char *cc_mode_name(cc_mode mode);
typedef struct cc_rtp_packet {
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t ssrc;
  int payload_type;
  const uint8_t *payload; /* the Opus frame, extension body and padding removed */
  size_t payload_len;
} cc_rtp_packet;
/* Seals header(12) ‖ ciphertext ‖ tag ‖ counter(4) into out (room CC_MAX_PACKET); returns its size or -1. */
long cc_rtp_seal(cc_mode mode, const uint8_t key[32], uint32_t counter, uint16_t seq, uint32_t ts, uint32_t ssrc,
                 const uint8_t *payload, size_t payload_len, uint8_t *out);
/*
 * Opens a received _rtpsize packet: header lengths (CSRCs, extension preamble) checked against the datagram before
 * reading, AEAD authenticated, extension body and padding checked and removed. plain (room len) receives the
 * plaintext; out points into it. 0 or a negative cc_status.
 */
int cc_rtp_open(cc_mode mode, const uint8_t key[32], const uint8_t *pkt, size_t len, uint8_t *plain,
                cc_rtp_packet *out);
/* 1 when the datagram is RTCP (second byte 200-206), which this client ignores. */
int cc_rtp_is_rtcp(const uint8_t *pkt, size_t len);

/* ---- opus_codec.c ---- */
typedef struct cc_opus_encoder cc_opus_encoder;
typedef struct cc_opus_decoder cc_opus_decoder;
cc_opus_encoder *cc_opus_encoder_new(void);
/* Encodes 960 stereo frames; returns bytes written to out (room cap) or -1. */
long cc_opus_encode(cc_opus_encoder *enc, const int16_t *pcm, uint8_t *out, size_t cap);
void cc_opus_encoder_free(cc_opus_encoder *enc);
cc_opus_decoder *cc_opus_decoder_new(void);
/* Decodes one packet into pcm (room 5760 * 2 samples); returns samples per channel or -1. */
long cc_opus_decode(cc_opus_decoder *dec, const uint8_t *data, size_t len, int16_t *pcm);
void cc_opus_decoder_free(cc_opus_decoder *dec);
#define CC_FRAME_SAMPLES 960
#define CC_MAX_DECODED 5760

#endif
