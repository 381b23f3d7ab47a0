/* RTP for voice (docs/protocol.md, "RTP", "Encryption modes"): the `_rtpsize` AEAD modes, where the clear header
 * (fixed part, CSRCs, extension preamble) is the AAD and ciphertext ‖ tag(16) ‖ nonce counter(4) follows. */
#include <sodium.h>
#include <string.h>

#include "internal.h"

#define TAG 16
#define COUNTER 4

cc_mode cc_mode_from_name(const char *name) {
  if (!name) return CC_MODE_NONE;
  if (strcmp(name, "aead_aes256_gcm_rtpsize") == 0) return CC_MODE_AES256_GCM;
  if (strcmp(name, "aead_xchacha20_poly1305_rtpsize") == 0) return CC_MODE_XCHACHA20;
  return CC_MODE_NONE;
}

const char *cc_mode_name(cc_mode mode) {
  switch (mode) {
    case CC_MODE_AES256_GCM:
      return "aead_aes256_gcm_rtpsize";
    case CC_MODE_XCHACHA20:
      return "aead_xchacha20_poly1305_rtpsize";
    default:
      return "none";
  }
}

int cc_rtp_is_rtcp(const uint8_t *pkt, size_t len) { return len >= 2 && pkt[1] >= 200 && pkt[1] <= 206; }

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

long cc_rtp_seal(cc_mode mode, const uint8_t key[32], uint32_t counter, uint16_t seq, uint32_t ts, uint32_t ssrc,
                 const uint8_t *payload, size_t payload_len, uint8_t *out) {
  if (payload_len > CC_MAX_PACKET - CC_RTP_HEADER - TAG - COUNTER) return -1;
  out[0] = 0x80;
  out[1] = 0x78; /* payload type 120: Opus */
  out[2] = (uint8_t)(seq >> 8);
  out[3] = (uint8_t)seq;
  put32(out + 4, ts);
  put32(out + 8, ssrc);
  uint8_t nonce[24] = {0};
  put32(nonce, counter);
  unsigned long long clen = 0;
  int r;
  if (mode == CC_MODE_AES256_GCM)
    r = crypto_aead_aes256gcm_encrypt(out + CC_RTP_HEADER, &clen, payload, payload_len, out, CC_RTP_HEADER, NULL, nonce,
                                      key);
  else if (mode == CC_MODE_XCHACHA20)
    r = crypto_aead_xchacha20poly1305_ietf_encrypt(out + CC_RTP_HEADER, &clen, payload, payload_len, out,
                                                   CC_RTP_HEADER, NULL, nonce, key);
  else
    return -1;
  if (r != 0) return -1;
  put32(out + CC_RTP_HEADER + clen, counter);
  return (long)(CC_RTP_HEADER + clen + COUNTER);
}

int cc_rtp_open(cc_mode mode, const uint8_t key[32], const uint8_t *pkt, size_t len, uint8_t *plain,
                cc_rtp_packet *out) {
  if (len < CC_RTP_HEADER + TAG + COUNTER || len > CC_MAX_PACKET) return CC_ERR_PROTOCOL;
  if ((pkt[0] >> 6) != 2) return CC_ERR_PROTOCOL;
  int padding = (pkt[0] >> 5) & 1;
  int extension = (pkt[0] >> 4) & 1;
  size_t csrc = pkt[0] & 0x0F;
  size_t clear = CC_RTP_HEADER + 4 * csrc + (extension ? 4 : 0);
  /* Every length is checked against the datagram before it is read. */
  if (len < clear + TAG + COUNTER) return CC_ERR_PROTOCOL;
  size_t ext_words = extension ? (size_t)(pkt[clear - 2] << 8 | pkt[clear - 1]) : 0;
  uint8_t nonce[24] = {0};
  memcpy(nonce, pkt + len - COUNTER, COUNTER);
  const uint8_t *sealed = pkt + clear;
  size_t sealed_len = len - clear - COUNTER;
  unsigned long long plen = 0;
  int r;
  if (mode == CC_MODE_AES256_GCM)
    r = crypto_aead_aes256gcm_decrypt(plain, &plen, NULL, sealed, sealed_len, pkt, clear, nonce, key);
  else if (mode == CC_MODE_XCHACHA20)
    r = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, sealed, sealed_len, pkt, clear, nonce, key);
  else
    return CC_ERR_CRYPTO;
  if (r != 0) return CC_ERR_CRYPTO;
  size_t start = ext_words * 4; /* the extension body, encrypted in these modes, comes first */
  if (start > plen) return CC_ERR_PROTOCOL;
  size_t end = (size_t)plen;
  if (padding) {
    if (end == start) return CC_ERR_PROTOCOL;
    size_t pad = plain[end - 1];
    if (pad == 0 || pad > end - start) return CC_ERR_PROTOCOL;
    end -= pad;
  }
  out->sequence = (uint16_t)(pkt[2] << 8 | pkt[3]);
  out->timestamp = get32(pkt + 4);
  out->ssrc = get32(pkt + 8);
  out->payload_type = pkt[1] & 0x7F;
  out->payload = plain + start;
  out->payload_len = end - start;
  return 0;
}
