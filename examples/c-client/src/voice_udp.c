/* Voice media over UDP: IP discovery, then Opus in sealed RTP both ways (docs/protocol.md, "Voice media (UDP)"). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_state.h"

#define DISCOVERY_TRIES 5
#define DISCOVERY_WAIT_MS 500
#define MAX_DATAGRAMS_PER_STEP 256

cc_status cc_udp_open(cc_client *c, char address[64], uint16_t *port) {
  char service[8];
  snprintf(service, sizeof service, "%d", c->udp_port);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST; /* Ready's ip is an IP literal: never resolve a name from the wire */
  if (getaddrinfo(c->udp_ip, service, &hints, &res) != 0)
    return cc_fail(c, CC_ERR_PROTOCOL, "voice Ready ip %s is not an IP literal", c->udp_ip);
  c->udp_fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  /* connect(): the kernel then drops datagrams from any other address, and send() needs no address. */
  if (c->udp_fd < 0 || connect(c->udp_fd, res->ai_addr, res->ai_addrlen) != 0) {
    freeaddrinfo(res);
    return cc_fail(c, CC_ERR_IO, "udp socket to %s:%d: %s", c->udp_ip, c->udp_port, strerror(errno));
  }
  freeaddrinfo(res);
  fcntl(c->udp_fd, F_SETFL, fcntl(c->udp_fd, F_GETFL) | O_NONBLOCK);
  uint8_t req[CC_IP_DISCOVERY_SIZE];
  cc_ip_discovery_request(c->ssrc, req);
  for (int attempt = 0; attempt < DISCOVERY_TRIES; attempt++) {
    if (send(c->udp_fd, req, sizeof req, 0) != (ssize_t)sizeof req)
      return cc_fail(c, CC_ERR_IO, "ip discovery send: %s", strerror(errno));
    int64_t deadline = cc_now_ms() + DISCOVERY_WAIT_MS;
    for (;;) {
      int64_t left = deadline - cc_now_ms();
      if (left <= 0 || cc_net_wait_readable(c->udp_fd, (int)left) <= 0) break;
      uint8_t buf[CC_MAX_PACKET];
      ssize_t n = recv(c->udp_fd, buf, sizeof buf, 0);
      if (n < 0) break;
      if (cc_ip_discovery_parse(buf, (size_t)n, c->ssrc, address, port) == 0) return CC_OK;
      /* anything else (a wrong length, another SSRC) is ignored: only our answer counts */
    }
  }
  return cc_fail(c, CC_ERR_TIMEOUT, "no IP discovery answer from %s:%d", c->udp_ip, c->udp_port);
}

static void deliver(cc_client *c, const cc_rtp_packet *rtp) {
  cc_speaker *s = cc_voice_speaker(c, rtp->ssrc, 1);
  if (!s) return;
  if (!s->decoder) s->decoder = cc_opus_decoder_new();
  if (!s->decoder) return;
  int16_t pcm[CC_MAX_DECODED * 2];
  long frames = cc_opus_decode(s->decoder, rtp->payload, rtp->payload_len, pcm);
  if (frames <= 0) return; /* a corrupt frame from one speaker is that speaker's loss, not the session's */
  cc_audio_frame f = {
      .ssrc = rtp->ssrc,
      .user_id = s->user_id[0] ? s->user_id : NULL,
      .pcm = pcm,
      .frames = (size_t)frames,
      .sequence = rtp->sequence,
      .timestamp = rtp->timestamp,
  };
  if (c->cfg.callbacks.on_audio) c->cfg.callbacks.on_audio(c->cfg.user, &f);
}

cc_status cc_udp_receive(cc_client *c) {
  if (c->udp_fd < 0 || c->phase != CC_VOICE_READY) return CC_OK;
  for (int i = 0; i < MAX_DATAGRAMS_PER_STEP; i++) {
    uint8_t buf[CC_MAX_PACKET + 1];
    ssize_t n = recv(c->udp_fd, buf, sizeof buf, 0);
    if (n < 0) return CC_OK; /* EAGAIN: drained (ICMP errors on a connected UDP socket are not fatal either) */
    /* Over CC_MAX_PACKET (the +1 shows it), keepalive echoes, RTCP: skipped. */
    if ((size_t)n > CC_MAX_PACKET || n < CC_RTP_HEADER || cc_rtp_is_rtcp(buf, (size_t)n)) continue;
    uint8_t plain[CC_MAX_PACKET];
    cc_rtp_packet rtp;
    if (cc_rtp_open(c->mode, c->key, buf, (size_t)n, plain, &rtp) != 0) continue; /* forged or corrupt: dropped */
    if (rtp.payload_type != 120 || rtp.payload_len == 0) continue;
    deliver(c, &rtp);
  }
  return CC_OK;
}

cc_status cc_udp_send_opus(cc_client *c, const uint8_t *opus, size_t len) {
  if (c->phase != CC_VOICE_READY) return cc_fail(c, CC_ERR_STATE, "voice is not ready");
  if (!c->speaking) {
    cc_status st = cc_voice_speaking(c, 1);
    if (st != CC_OK) return st;
  }
  if (c->nonce == UINT32_MAX) return cc_fail(c, CC_ERR_CRYPTO, "nonce counter exhausted: rejoin voice for a new key");
  uint8_t out[CC_MAX_PACKET];
  long n = cc_rtp_seal(c->mode, c->key, c->nonce++, c->rtp_seq++, c->rtp_ts, c->ssrc, opus, len, out);
  c->rtp_ts += CC_FRAME_SAMPLES;
  if (n < 0) return cc_fail(c, CC_ERR_ARG, "opus frame of %zu bytes cannot be sealed", len);
  if (send(c->udp_fd, out, (size_t)n, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
    return cc_fail(c, CC_ERR_IO, "udp send: %s", strerror(errno));
  return CC_OK;
}
