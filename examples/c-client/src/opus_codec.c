/* Opus at the contract's format: 48 kHz, stereo, 20 ms frames. */
#include <opus/opus.h>
#include <stdlib.h>

#include "internal.h"

struct cc_opus_encoder {
  OpusEncoder *enc;
};
struct cc_opus_decoder {
  OpusDecoder *dec;
};

cc_opus_encoder *cc_opus_encoder_new(void) {
  cc_opus_encoder *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  int err = 0;
  e->enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_VOIP, &err);
  if (err != OPUS_OK) {
    free(e);
    return NULL;
  }
  opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(64000));
  return e;
}

long cc_opus_encode(cc_opus_encoder *enc, const int16_t *pcm, uint8_t *out, size_t cap) {
  opus_int32 n = opus_encode(enc->enc, pcm, CC_FRAME_SAMPLES, out, (opus_int32)(cap > 4000 ? 4000 : cap));
  return n < 0 ? -1 : (long)n;
}

void cc_opus_encoder_free(cc_opus_encoder *enc) {
  if (!enc) return;
  opus_encoder_destroy(enc->enc);
  free(enc);
}

cc_opus_decoder *cc_opus_decoder_new(void) {
  cc_opus_decoder *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  int err = 0;
  d->dec = opus_decoder_create(48000, 2, &err);
  if (err != OPUS_OK) {
    free(d);
    return NULL;
  }
  return d;
}

long cc_opus_decode(cc_opus_decoder *dec, const uint8_t *data, size_t len, int16_t *pcm) {
  if (len == 0 || len > 1275 * 3) return -1; /* an Opus packet is at most 3 frames of 1275 bytes */
  int n = opus_decode(dec->dec, data, (opus_int32)len, pcm, CC_MAX_DECODED, 0);
  return n < 0 ? -1 : (long)n;
}

void cc_opus_decoder_free(cc_opus_decoder *dec) {
  if (!dec) return;
  opus_decoder_destroy(dec->dec);
  free(dec);
}
