/* HTTP/1.1 requests for REST and the game API: one connection per request (Connection: close), bounded answers. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

#define HEAD_MAX 16384

/* Parses an unsigned decimal or hex number of at most `max_digits` digits in [p, end); -1 when malformed. */
static long long parse_number(const char *p, const char *end, int base, int max_digits, const char **stop) {
  long long v = 0;
  int digits = 0;
  while (p < end && digits < max_digits) {
    int d;
    if (*p >= '0' && *p <= '9')
      d = *p - '0';
    else if (base == 16 && *p >= 'a' && *p <= 'f')
      d = *p - 'a' + 10;
    else if (base == 16 && *p >= 'A' && *p <= 'F')
      d = *p - 'A' + 10;
    else
      break;
    v = v * base + d;
    digits++;
    p++;
  }
  *stop = p;
  return digits == 0 ? -1 : v;
}

/* Decodes a chunked body in place (chunks are moved down over their size lines). 1 done, 0 need more, -1 bad. */
static int dechunk(char *body, size_t len, size_t *out_len) {
  size_t rd = 0, wr = 0;
  for (;;) {
    const char *stop;
    long long size = parse_number(body + rd, body + len, 16, 8, &stop);
    if (size < 0) return stop >= body + len ? 0 : -1;
    const char *eol = memchr(stop, '\n', (size_t)(body + len - stop));
    if (!eol) return 0;
    size_t data = (size_t)(eol - body) + 1;
    if (size == 0) {
      *out_len = wr;
      return 1; /* trailers are ignored */
    }
    if ((size_t)size > len - data || len - data - (size_t)size < 2) return 0;
    memmove(body + wr, body + data, (size_t)size);
    wr += (size_t)size;
    rd = data + (size_t)size;
    if (body[rd] != '\r' || body[rd + 1] != '\n') return -1;
    rd += 2;
  }
}

int cc_http_parse_response(char *buf, size_t len, int *status, size_t *body_off, size_t *body_len) {
  size_t scan = len < HEAD_MAX ? len : HEAD_MAX;
  const char *head_end = NULL;
  for (size_t i = 0; i + 3 < scan; i++)
    if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
      head_end = buf + i + 4;
      break;
    }
  if (!head_end) return len >= HEAD_MAX ? -1 : 0;
  if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') return -1;
  const char *stop;
  long long code = parse_number(buf + 9, buf + 12, 10, 3, &stop);
  if (code < 100 || code > 599 || stop != buf + 12) return -1;
  *status = (int)code;
  size_t head = (size_t)(head_end - buf);
  size_t vlen = 0;
  const char *te = cc_http_header(buf, head, "Transfer-Encoding", &vlen);
  if (te && vlen == 7 && strncasecmp(te, "chunked", 7) == 0) {
    *body_off = head;
    return dechunk(buf + head, len - head, body_len);
  }
  const char *cl = cc_http_header(buf, head, "Content-Length", &vlen);
  if (cl) {
    long long n = parse_number(cl, cl + vlen, 10, 12, &stop);
    if (n < 0 || stop != cl + vlen) return -1;
    if ((unsigned long long)n > len - head) return 0;
    *body_off = head;
    *body_len = (size_t)n;
    return 1;
  }
  /* Neither: the body ends with the connection (the caller passes what it has once the peer closed). */
  *body_off = head;
  *body_len = len - head;
  return 2;
}

/* Hands the answer's body (at off, blen bytes) to the response, NUL-terminated, in the buffer it was read into. */
static void take_body(char **buf, size_t off, size_t blen, cc_http_response *out) {
  memmove(*buf, *buf + off, blen);
  (*buf)[blen] = 0;
  out->body = *buf;
  out->body_len = blen;
  *buf = NULL;
}

cc_status cc_http_request(const cc_url *base, const char *method, const char *path, const char *authorization,
                          const char *json_body, int timeout_ms, size_t max_response, cc_http_response *out,
                          char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  size_t body_len = json_body ? strlen(json_body) : 0;
  size_t req_cap = 1024 + strlen(path) + strlen(base->path) + (authorization ? strlen(authorization) : 0) + body_len;
  char *req = malloc(req_cap);
  char *buf = malloc(max_response + 1);
  if (!req || !buf) {
    free(req);
    free(buf);
    return CC_ERR_NOMEM;
  }
  int n = snprintf(req, req_cap,
                   "%s %s%s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: concord-c\r\nConnection: close\r\n"
                   "Accept: application/json\r\n%s%s%s",
                   method, base->path, path, base->host, base->port, authorization ? "Authorization: " : "",
                   authorization ? authorization : "", authorization ? "\r\n" : "");
  if (json_body)
    n += snprintf(req + n, req_cap - (size_t)n, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                  body_len, json_body);
  else
    n += snprintf(req + n, req_cap - (size_t)n, "Content-Length: 0\r\n\r\n");
  cc_status st = CC_OK;
  int fd = cc_net_connect_tcp(base->host, base->port, timeout_ms, err, err_size);
  if (fd < 0) {
    st = CC_ERR_IO;
    goto done;
  }
  if (cc_net_send_all(fd, req, (size_t)n, timeout_ms) != 0) {
    snprintf(err, err_size, "%s %s: send failed", method, path);
    st = CC_ERR_IO;
    goto done;
  }
  size_t got = 0;
  int64_t deadline = cc_now_ms() + timeout_ms;
  for (;;) {
    size_t off = 0, blen = 0;
    int parsed = cc_http_parse_response(buf, got, &out->status, &off, &blen);
    if (parsed < 0) {
      snprintf(err, err_size, "%s %s: malformed HTTP answer", method, path);
      st = CC_ERR_PROTOCOL;
      goto done;
    }
    if (parsed == 1) {
      take_body(&buf, off, blen, out);
      break;
    }
    if (got >= max_response) {
      snprintf(err, err_size, "%s %s: answer over %zu bytes", method, path, max_response);
      st = CC_ERR_TOO_LARGE;
      goto done;
    }
    int64_t left = deadline - cc_now_ms();
    if (left <= 0 || cc_net_wait_readable(fd, (int)left) <= 0) {
      snprintf(err, err_size, "%s %s: timed out", method, path);
      st = CC_ERR_TIMEOUT;
      goto done;
    }
    long r = cc_net_recv_some(fd, buf + got, max_response - got);
    if (r == -2 && parsed == 2) { /* body delimited by the close */
      take_body(&buf, off, blen, out);
      break;
    }
    if (r < 0) {
      snprintf(err, err_size, "%s %s: connection dropped", method, path);
      st = CC_ERR_IO;
      goto done;
    }
    got += (size_t)r;
  }
done:
  if (fd >= 0) close(fd);
  free(req);
  free(buf);
  return st;
}
