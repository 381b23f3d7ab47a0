/*
 * Hostile input for every decoder of the library: random and mutated bytes into the WebSocket frame parser and
 * message reassembly, the handshake check, the HTTP answer parser, bounded JSON, IP discovery, RTP open, URLs.
 * Each run checks the invariants (nothing read or handed out past the input, bounds honoured, valid input still
 * accepted). Deterministic: fuzz_decoders [iterations] [seed]. Exit 0 when every check held. Build with
 * -DCONCORD_SANITIZE=ON to have ASan/UBSan watch the same runs.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 11);
}
static size_t rnd_below(size_t n) { return n ? rnd() % n : 0; }

static long failures;
#define CHECK(cond, ...)                    \
  do {                                      \
    if (!(cond)) {                          \
      failures++;                           \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);         \
      fputc('\n', stderr);                  \
    }                                       \
  } while (0)

/* Random bytes, or a valid sample with a few bytes flipped, truncated or extended. */
static size_t mutate(uint8_t *buf, size_t cap, const uint8_t *sample, size_t sample_len) {
  size_t len;
  if (!sample || rnd() % 3 == 0) {
    len = rnd_below(cap);
    for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)rnd();
    return len;
  }
  len = sample_len < cap ? sample_len : cap;
  memcpy(buf, sample, len);
  int flips = (int)rnd_below(4);
  for (int i = 0; i < flips && len; i++) buf[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
  if (rnd() % 4 == 0) len = rnd_below(len + 1);
  return len;
}

static void ws_frames(void) {
  uint8_t sample[300], buf[512];
  uint8_t payload[200];
  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)i;
  /* A server frame: unmasked. Build a masked one and strip the mask. */
  sample[0] = 0x81;
  sample[1] = 126;
  sample[2] = 0;
  sample[3] = 200;
  memcpy(sample + 4, payload, 200);
  size_t sample_len = 204;
  size_t len = mutate(buf, sizeof buf, sample, sample_len);
  size_t max = 1 + rnd_below(300);
  cc_ws_frame f;
  int r = cc_ws_parse_frame(buf, len, max, &f);
  if (r == 1) {
    CHECK(f.consumed <= len, "frame consumed %zu of %zu", f.consumed, len);
    CHECK(f.length <= max, "frame length %zu over max %zu", f.length, max);
    CHECK(f.payload >= buf && f.payload + f.length <= buf + len, "payload outside the buffer");
  } else {
    CHECK(r == 0 || r == CC_ERR_PROTOCOL || r == CC_ERR_TOO_LARGE, "unexpected result %d", r);
  }
  /* The unmodified sample must parse (when the bound allows it). */
  memcpy(buf, sample, sample_len);
  r = cc_ws_parse_frame(buf, sample_len, 4096, &f);
  CHECK(r == 1 && f.length == 200 && f.consumed == 204, "valid frame refused");
}

static void ws_stream(void) {
  /* cc_ws_next over a buffer of concatenated random/mutated frames (fd -1: pongs fail quietly). */
  cc_ws ws;
  memset(&ws, 0, sizeof ws);
  ws.fd = -1;
  ws.max_message = 1 + rnd_below(1024);
  ws.in_cap = ws.max_message + 14;
  ws.in = malloc(ws.in_cap);
  size_t len = 0;
  while (len < ws.in_cap) {
    uint8_t frame[64];
    size_t n = 2 + rnd_below(20);
    frame[0] = (uint8_t)((rnd() % 2 ? 0x80 : 0) | (uint8_t)(rnd() % 3 == 0 ? rnd() % 16 : rnd() % 3));
    frame[1] = (uint8_t)(n - 2);
    for (size_t i = 2; i < n; i++) frame[i] = (uint8_t)rnd();
    if (rnd() % 5 == 0) frame[1] = (uint8_t)rnd();
    if (len + n > ws.in_cap) break;
    memcpy(ws.in + len, frame, n);
    len += n;
  }
  ws.in_len = len;
  for (int i = 0; i < 64; i++) {
    cc_ws_message m;
    cc_status st = cc_ws_next(&ws, &m);
    if (st == CC_OK) {
      CHECK(m.length <= ws.max_message, "message %zu over max %zu", m.length, ws.max_message);
      CHECK(m.opcode == 1 || m.opcode == 2, "message opcode %d", m.opcode);
      continue;
    }
    break;
  }
  CHECK(ws.in_len <= ws.in_cap, "buffer overrun");
  cc_ws_close(&ws, 0);
}

static void handshake(void) {
  const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
  const char *ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  CHECK(cc_ws_check_handshake(ok, strlen(ok), key) == 0, "RFC 6455 sample handshake refused");
  char buf[256];
  size_t len = mutate((uint8_t *)buf, sizeof buf - 1, (const uint8_t *)ok, strlen(ok));
  buf[len] = 0;
  (void)cc_ws_check_handshake(buf, len, key);
}

static void http(void) {
  static const char *samples[] = {
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"id\":\"1\"}\n",
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n",
      "HTTP/1.1 204 No Content\r\n\r\n",
  };
  const char *sample = samples[rnd_below(3)];
  char buf[512];
  size_t len = mutate((uint8_t *)buf, sizeof buf, (const uint8_t *)sample, strlen(sample));
  int status = 0;
  size_t off = 0, body = 0;
  int r = cc_http_parse_response(buf, len, &status, &off, &body);
  if (r >= 1) {
    CHECK(off <= len && body <= len - off, "body %zu+%zu outside %zu", off, body, len);
    CHECK(status >= 100 && status <= 599, "status %d", status);
  }
  memcpy(buf, samples[1], strlen(samples[1]));
  r = cc_http_parse_response(buf, strlen(samples[1]), &status, &off, &body);
  CHECK(r == 1 && status == 201 && body == 7 && memcmp(buf + off, "{\"a\":1}", 7) == 0, "chunked sample refused");
}

static void json(void) {
  char buf[300];
  const char *sample = "{\"op\":0,\"s\":3,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"1\",\"a\":[[1,2],{\"b\":null}]}}";
  size_t len = mutate((uint8_t *)buf, sizeof buf, (const uint8_t *)sample, strlen(sample));
  cJSON_Delete(cc_json_parse(buf, len, sizeof buf, 8));
  /* Deep nesting is refused before cJSON recurses. */
  size_t depth = 1 + rnd_below(140);
  for (size_t i = 0; i < depth; i++) buf[i] = '[';
  for (size_t i = 0; i < depth; i++) buf[depth + i] = ']';
  cJSON *j = cc_json_parse(buf, 2 * depth, sizeof buf, 64);
  CHECK((j != NULL) == (depth <= 64), "depth %zu: %s", depth, j ? "accepted" : "refused");
  cJSON_Delete(j);
  CHECK(cc_json_parse(sample, strlen(sample), 10, 64) == NULL, "size bound ignored");
}

static void discovery(void) {
  uint8_t sample[CC_IP_DISCOVERY_SIZE];
  cc_ip_discovery_request(42, sample);
  sample[1] = 2;
  memcpy(sample + 8, "127.0.0.1", 9);
  sample[72] = 0x1F;
  sample[73] = 0x90;
  uint8_t buf[100];
  size_t len = mutate(buf, sizeof buf, sample, sizeof sample);
  if (rnd() % 4 == 0 && len == CC_IP_DISCOVERY_SIZE) memset(buf + 8, 'A', 64); /* no NUL at all */
  char address[64];
  uint16_t port;
  if (cc_ip_discovery_parse(buf, len, 42, address, &port) == 0)
    CHECK(strlen(address) < 64 && len == CC_IP_DISCOVERY_SIZE, "discovery accepted %zu bytes", len);
  CHECK(cc_ip_discovery_parse(sample, sizeof sample, 42, address, &port) == 0 && strcmp(address, "127.0.0.1") == 0 &&
            port == 8080,
        "valid discovery answer refused");
}

static void rtp(void) {
  uint8_t key[32];
  for (int i = 0; i < 32; i++) key[i] = (uint8_t)(i * 7);
  cc_mode mode = rnd() % 2 && crypto_aead_aes256gcm_is_available() ? CC_MODE_AES256_GCM : CC_MODE_XCHACHA20;
  uint8_t opus[100], sealed[CC_MAX_PACKET], buf[CC_MAX_PACKET + 8], plain[CC_MAX_PACKET + 8];
  size_t opus_len = 1 + rnd_below(sizeof opus);
  for (size_t i = 0; i < opus_len; i++) opus[i] = (uint8_t)rnd();
  long n = cc_rtp_seal(mode, key, rnd(), (uint16_t)rnd(), rnd(), 1234, opus, opus_len, sealed);
  CHECK(n > 0, "seal failed");
  cc_rtp_packet p;
  CHECK(cc_rtp_open(mode, key, sealed, (size_t)n, plain, &p) == 0 && p.payload_len == opus_len &&
            memcmp(p.payload, opus, opus_len) == 0 && p.ssrc == 1234,
        "round trip failed");
  size_t len = mutate(buf, sizeof buf, sealed, (size_t)n);
  /* Header bits an attacker controls in clear: CSRC count, extension, padding. */
  if (len > 0 && rnd() % 2) buf[0] = (uint8_t)(0x80 | (rnd() & 0x3F));
  if (cc_rtp_open(mode, key, buf, len, plain, &p) == 0) {
    CHECK(p.payload >= plain && p.payload + p.payload_len <= plain + len, "payload outside the plaintext");
  }
  CHECK(cc_rtp_is_rtcp(buf, len) == (len >= 2 && buf[1] >= 200 && buf[1] <= 206), "rtcp check");
}

static void urls(void) {
  static const char *samples[] = {"http://127.0.0.1:8080", "127.0.0.1:4000", "ws://[::1]:9/x/", "http://h/p"};
  const char *s = samples[rnd_below(4)];
  char buf[600];
  size_t len = mutate((uint8_t *)buf, sizeof buf - 1, (const uint8_t *)s, strlen(s));
  buf[len] = 0;
  cc_url u;
  if (cc_url_parse(buf, 80, &u) == 0)
    CHECK(u.port >= 1 && u.port <= 65535 && strlen(u.host) < sizeof u.host, "url parsed out of range");
  CHECK(cc_url_parse("https://example.com", 443, &u) != 0, "https accepted without TLS");
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 20000;
  rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 0x9E3779B97F4A7C15ull;
  if (rng_state == 0) rng_state = 1;
  if (sodium_init() < 0) return 1;
  uint8_t digest[20];
  cc_sha1((const uint8_t *)"abc", 3, digest);
  static const uint8_t abc[20] = {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e,
                                  0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d};
  CHECK(memcmp(digest, abc, 20) == 0, "sha1(abc)");
  for (long i = 0; i < iterations; i++) {
    ws_frames();
    ws_stream();
    handshake();
    http();
    json();
    discovery();
    rtp();
    urls();
  }
  printf("{\"event\":\"fuzz\",\"iterations\":%ld,\"failures\":%ld}\n", iterations, failures);
  return failures ? 1 : 0;
}
