/* RFC 6455 frames: parsing the server's (bounded before anything is buffered) and building the client's (masked). */
#include <string.h>

#include "internal.h"

int cc_ws_parse_frame(uint8_t *buf, size_t len, size_t max_payload, cc_ws_frame *out) {
  if (len < 2) return 0;
  int fin = buf[0] >> 7;
  if (buf[0] & 0x70) return CC_ERR_PROTOCOL; /* RSV1-3: no extension was negotiated */
  int opcode = buf[0] & 0x0F;
  int control = opcode >= 8;
  if (!(opcode <= 2 || (opcode >= 8 && opcode <= 10))) return CC_ERR_PROTOCOL;
  if (buf[1] & 0x80) return CC_ERR_PROTOCOL; /* a server must not mask (5.1) */
  uint64_t plen = buf[1] & 0x7F;
  size_t head = 2;
  if (plen == 126) {
    if (len < 4) return 0;
    plen = (uint64_t)buf[2] << 8 | buf[3];
    head = 4;
  } else if (plen == 127) {
    if (len < 10) return 0;
    if (buf[2] & 0x80) return CC_ERR_PROTOCOL; /* the most significant bit must be 0 */
    plen = 0;
    for (int i = 0; i < 8; i++) plen = plen << 8 | buf[2 + i];
    head = 10;
  }
  if (control && (plen > 125 || !fin)) return CC_ERR_PROTOCOL;
  /* Checked from the header alone: a peer announcing a huge frame is refused before we wait for or store it. */
  if (plen > max_payload) return CC_ERR_TOO_LARGE;
  if (len - head < plen) return 0;
  out->fin = fin;
  out->opcode = opcode;
  out->payload = buf + head;
  out->length = (size_t)plen;
  out->consumed = head + (size_t)plen;
  return 1;
}

size_t cc_ws_build_frame(int opcode, const uint8_t *payload, size_t len, const uint8_t mask[4], uint8_t *out) {
  size_t n = 0;
  out[n++] = (uint8_t)(0x80 | (opcode & 0x0F));
  if (len < 126) {
    out[n++] = (uint8_t)(0x80 | len);
  } else if (len <= 0xFFFF) {
    out[n++] = 0x80 | 126;
    out[n++] = (uint8_t)(len >> 8);
    out[n++] = (uint8_t)len;
  } else {
    out[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) out[n++] = (uint8_t)((uint64_t)len >> (8 * i));
  }
  memcpy(out + n, mask, 4);
  n += 4;
  for (size_t i = 0; i < len; i++) out[n + i] = payload[i] ^ mask[i & 3];
  return n + len;
}
