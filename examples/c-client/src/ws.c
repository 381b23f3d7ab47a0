/* A WebSocket client connection (RFC 6455): the opening handshake, then framed messages with a size bound. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define HANDSHAKE_MAX 8192
static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* Length of the HTTP head (through its blank line) in buf, or 0 while it is incomplete. The bytes after it may be
 * the first frame, NULs included: the search is bounded by len, not by a terminator. */
static size_t head_length(const char *buf, size_t len) {
  for (size_t i = 0; i + 4 <= len; i++)
    if (buf[i] == '\r' && memcmp(buf + i, "\r\n\r\n", 4) == 0) return i + 4;
  return 0;
}

int cc_ws_check_handshake(const char *response, size_t len, const char *key) {
  if (len < 12 || strncmp(response, "HTTP/1.1 101", 12) != 0) return -1;
  char joined[128];
  int n = snprintf(joined, sizeof joined, "%s%s", key, GUID);
  if (n < 0 || (size_t)n >= sizeof joined) return -1;
  uint8_t digest[20];
  cc_sha1((const uint8_t *)joined, (size_t)n, digest);
  char expected[64];
  sodium_bin2base64(expected, sizeof expected, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  size_t vlen = 0;
  const char *v = cc_http_header(response, len, "Sec-WebSocket-Accept", &vlen);
  if (!v || vlen != strlen(expected) || memcmp(v, expected, vlen) != 0) return -1;
  return 0;
}

cc_status cc_ws_connect(cc_ws *ws, const cc_url *url, int timeout_ms, size_t max_message, char *err, size_t err_size) {
  memset(ws, 0, sizeof *ws);
  ws->fd = -1;
  ws->max_message = max_message;
  ws->in_cap = max_message + 14;
  ws->in = malloc(ws->in_cap);
  if (!ws->in) return CC_ERR_NOMEM;
  ws->fd = cc_net_connect_tcp(url->host, url->port, timeout_ms, err, err_size);
  if (ws->fd < 0) return CC_ERR_IO;
  uint8_t nonce[16];
  randombytes_buf(nonce, sizeof nonce);
  char key[32];
  sodium_bin2base64(key, sizeof key, nonce, sizeof nonce, sodium_base64_VARIANT_ORIGINAL);
  char req[1024];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nUser-Agent: concord-c\r\n\r\n",
                   url->path[0] ? url->path : "/", url->host, url->port, key);
  if (n < 0 || (size_t)n >= sizeof req) {
    snprintf(err, err_size, "request line too long");
    return CC_ERR_ARG;
  }
  if (cc_net_send_all(ws->fd, req, (size_t)n, timeout_ms) != 0) {
    snprintf(err, err_size, "handshake send failed");
    return CC_ERR_IO;
  }
  /* Read the 101 answer byte by byte-ish up to its blank line, never past HANDSHAKE_MAX; what follows it (a first
   * frame sent at once, like the gateway's Hello) stays in the frame buffer. */
  char resp[HANDSHAKE_MAX];
  size_t got = 0;
  int64_t deadline = cc_now_ms() + timeout_ms;
  for (;;) {
    size_t head = head_length(resp, got);
    if (head) {
      if (memchr(resp, '\0', head)) { /* a NUL has no place in an HTTP head */
        snprintf(err, err_size, "handshake answer has a NUL byte");
        return CC_ERR_PROTOCOL;
      }
      if (cc_ws_check_handshake(resp, head, key) != 0) {
        snprintf(err, err_size, "handshake refused: %.*s", (int)strcspn(resp, "\r\n"), resp);
        return CC_ERR_PROTOCOL;
      }
      size_t extra = got - head;
      if (extra > ws->in_cap) return CC_ERR_TOO_LARGE;
      memcpy(ws->in, resp + head, extra);
      ws->in_len = extra;
      return CC_OK;
    }
    if (got >= HANDSHAKE_MAX) {
      snprintf(err, err_size, "handshake answer over %d bytes", HANDSHAKE_MAX);
      return CC_ERR_TOO_LARGE;
    }
    int64_t left = deadline - cc_now_ms();
    if (left <= 0 || cc_net_wait_readable(ws->fd, (int)left) <= 0) {
      snprintf(err, err_size, "handshake timed out");
      return CC_ERR_TIMEOUT;
    }
    long r = cc_net_recv_some(ws->fd, resp + got, HANDSHAKE_MAX - got);
    if (r < 0) {
      snprintf(err, err_size, "handshake: connection dropped");
      return CC_ERR_IO;
    }
    got += (size_t)r;
  }
}

static cc_status send_frame(cc_ws *ws, int opcode, const uint8_t *payload, size_t len) {
  if (ws->fd < 0) return CC_ERR_CLOSED;
  uint8_t stack[4096];
  uint8_t *out = len + 14 <= sizeof stack ? stack : malloc(len + 14);
  if (!out) return CC_ERR_NOMEM;
  uint8_t mask[4];
  randombytes_buf(mask, sizeof mask);
  size_t n = cc_ws_build_frame(opcode, payload, len, mask, out);
  int r = cc_net_send_all(ws->fd, out, n, 5000);
  if (out != stack) free(out);
  return r == 0 ? CC_OK : CC_ERR_IO;
}

cc_status cc_ws_send_text(cc_ws *ws, const char *text, size_t len) { return send_frame(ws, 1, (const uint8_t *)text, len); }

cc_status cc_ws_fill(cc_ws *ws) {
  if (ws->fd < 0) return CC_ERR_CLOSED;
  while (ws->in_len < ws->in_cap) {
    long r = cc_net_recv_some(ws->fd, ws->in + ws->in_len, ws->in_cap - ws->in_len);
    if (r == 0) return CC_OK;
    if (r < 0) {
      if (!ws->closed) ws->close_code = -1;
      ws->closed = 1;
      return CC_OK; /* frames already buffered are still delivered; cc_ws_next reports the drop after them */
    }
    ws->in_len += (size_t)r;
  }
  return CC_OK;
}

/* Drops the first `n` buffered bytes (a frame handed out on the previous call). */
static void consume(cc_ws *ws, size_t n) {
  memmove(ws->in, ws->in + n, ws->in_len - n);
  ws->in_len -= n;
}

cc_status cc_ws_next(cc_ws *ws, cc_ws_message *msg) {
  for (;;) {
    cc_ws_frame f;
    int r = cc_ws_parse_frame(ws->in, ws->in_len, ws->max_message, &f);
    if (r < 0) return (cc_status)r;
    if (r == 0) {
      if (ws->in_len >= ws->in_cap) return CC_ERR_TOO_LARGE;
      return ws->closed ? CC_ERR_CLOSED : CC_ERR_TIMEOUT;
    }
    if (f.opcode == 9) { /* ping: pong with the same payload */
      uint8_t data[125];
      memcpy(data, f.payload, f.length);
      size_t len = f.length;
      consume(ws, f.consumed);
      send_frame(ws, 10, data, len);
      continue;
    }
    if (f.opcode == 10) {
      consume(ws, f.consumed);
      continue;
    }
    if (f.opcode == 8) {
      ws->close_code = f.length >= 2 ? (f.payload[0] << 8 | f.payload[1]) : 1005;
      ws->closed = 1;
      consume(ws, f.consumed);
      return CC_ERR_CLOSED;
    }
    /* Data frames: a whole message in one frame is handed out in place; fragments are reassembled, bounded. */
    if (f.opcode != 0 && ws->msg_opcode != 0) return CC_ERR_PROTOCOL; /* new message inside a fragmented one */
    if (f.opcode == 0 && ws->msg_opcode == 0) return CC_ERR_PROTOCOL; /* continuation of nothing */
    if (f.opcode != 0 && f.fin) {
      /* Copy out so the buffer can be compacted before the caller reads the message. */
      free(ws->msg);
      ws->msg = malloc(f.length + 1);
      if (!ws->msg) return CC_ERR_NOMEM;
      memcpy(ws->msg, f.payload, f.length);
      ws->msg[f.length] = 0;
      msg->opcode = f.opcode;
      msg->data = ws->msg;
      msg->length = f.length;
      consume(ws, f.consumed);
      return CC_OK;
    }
    if (f.opcode != 0) {
      free(ws->msg);
      ws->msg = NULL;
      ws->msg_len = 0;
      ws->msg_opcode = f.opcode;
    }
    if (f.length > ws->max_message - ws->msg_len) return CC_ERR_TOO_LARGE;
    uint8_t *grown = realloc(ws->msg, ws->msg_len + f.length + 1);
    if (!grown) return CC_ERR_NOMEM;
    ws->msg = grown;
    memcpy(ws->msg + ws->msg_len, f.payload, f.length);
    ws->msg_len += f.length;
    ws->msg[ws->msg_len] = 0;
    int fin = f.fin;
    consume(ws, f.consumed);
    if (fin) {
      msg->opcode = ws->msg_opcode;
      msg->data = ws->msg;
      msg->length = ws->msg_len;
      ws->msg_opcode = 0;
      ws->msg_len = 0;
      return CC_OK;
    }
  }
}

void cc_ws_close(cc_ws *ws, int code) {
  if (ws->fd >= 0) {
    if (code > 0 && !ws->closed) {
      uint8_t body[2] = {(uint8_t)(code >> 8), (uint8_t)code};
      send_frame(ws, 8, body, 2);
    }
    close(ws->fd);
  }
  ws->fd = -1;
  free(ws->in);
  free(ws->msg);
  ws->in = NULL;
  ws->msg = NULL;
}
