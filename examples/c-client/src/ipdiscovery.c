/* UDP IP discovery (docs/protocol.md, "IP discovery"): 74-byte request and response, big-endian. */
#include <string.h>

#include "internal.h"

void cc_ip_discovery_request(uint32_t ssrc, uint8_t out[CC_IP_DISCOVERY_SIZE]) {
  memset(out, 0, CC_IP_DISCOVERY_SIZE);
  out[1] = 1;
  out[3] = 70;
  out[4] = (uint8_t)(ssrc >> 24);
  out[5] = (uint8_t)(ssrc >> 16);
  out[6] = (uint8_t)(ssrc >> 8);
  out[7] = (uint8_t)ssrc;
}

int cc_ip_discovery_parse(const uint8_t *pkt, size_t len, uint32_t ssrc, char address[64], uint16_t *port) {
  if (len != CC_IP_DISCOVERY_SIZE || pkt[0] != 0 || pkt[1] != 2 || pkt[2] != 0 || pkt[3] != 70) return -1;
  uint32_t got = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 | (uint32_t)pkt[6] << 8 | pkt[7];
  if (got != ssrc) return -1;
  /* The address field is 64 bytes and should end with a NUL; never read past it, and keep room for ours. */
  size_t n = 0;
  while (n < 63 && pkt[8 + n] != 0) n++;
  if (n == 0) return -1;
  memcpy(address, pkt + 8, n);
  address[n] = 0;
  *port = (uint16_t)(pkt[72] << 8 | pkt[73]);
  return 0;
}
