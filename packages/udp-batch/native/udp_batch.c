// sendmmsg(2) over a bound UDP socket's descriptor, plus AES-256-GCM sealing straight into the batch's buffer.
//
// Why native: one dgram `send` per datagram costs a JS → libuv → syscall round trip (and a DNS-style deferral); one
// sendmmsg carries a whole fan-out. node:crypto makes a new cipher context per packet (createCipheriv: key schedule,
// object, tag buffer); a context kept per key and re-armed with a new IV costs a fraction. OpenSSL is Node's own
// (its symbols are exported by the node binary), so nothing is linked here.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BATCH 1024
#define META_FIELDS 4 // offset, length, IPv4 address (host order), port

#define CHECK(call)                                                                                                    \
  do {                                                                                                                 \
    if ((call) != napi_ok) return NULL;                                                                                \
  } while (0)

static napi_value throw_error(napi_env env, const char* message) {
  napi_throw_error(env, "UDP_BATCH_ARGUMENT", message);
  return NULL;
}

static int get_bytes(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, (void**)data, &buffer, &offset) != napi_ok) return 0;
  return type == napi_uint8_array;
}

static napi_value make_int(napi_env env, int64_t value) {
  napi_value out;
  napi_create_int64(env, value, &out);
  return out;
}

// sendBatch(fd, arena: Uint8Array, meta: Uint32Array, from, count) → datagrams sent from `from` on (≥ 0), or -errno
// when the first one failed. One call, one syscall (the kernel may take fewer than asked: the caller loops).
static napi_value SendBatch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return throw_error(env, "sendBatch(fd, arena, meta, from, count)");
  int32_t fd, from, count;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[3], &from));
  CHECK(napi_get_value_int32(env, argv[4], &count));
  uint8_t* arena;
  size_t arena_length;
  if (!get_bytes(env, argv[1], &arena, &arena_length)) return throw_error(env, "arena must be a Uint8Array");
  napi_typedarray_type type;
  size_t meta_length;
  uint32_t* meta;
  napi_value ab;
  size_t ab_offset;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &meta_length, (void**)&meta, &ab, &ab_offset));
  if (type != napi_uint32_array) return throw_error(env, "meta must be a Uint32Array");
  if (from < 0 || count < 0 || count > MAX_BATCH || (size_t)(from + count) * META_FIELDS > meta_length)
    return throw_error(env, "batch out of range");
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iovs[MAX_BATCH];
  struct sockaddr_in addrs[MAX_BATCH];
  for (int i = 0; i < count; i++) {
    const uint32_t* m = meta + (size_t)(from + i) * META_FIELDS;
    if ((size_t)m[0] + m[1] > arena_length) return throw_error(env, "datagram outside the arena");
    iovs[i].iov_base = arena + m[0];
    iovs[i].iov_len = m[1];
    memset(&addrs[i], 0, sizeof(addrs[i]));
    addrs[i].sin_family = AF_INET;
    addrs[i].sin_addr.s_addr = htonl(m[2]);
    addrs[i].sin_port = htons((uint16_t)m[3]);
    memset(&msgs[i], 0, sizeof(msgs[i]));
    msgs[i].msg_hdr.msg_name = &addrs[i];
    msgs[i].msg_hdr.msg_namelen = sizeof(addrs[i]);
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int sent;
  do sent = sendmmsg(fd, msgs, (unsigned)count, MSG_DONTWAIT);
  while (sent < 0 && errno == EINTR);
  return make_int(env, sent < 0 ? -errno : sent);
}

static void free_context(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  EVP_CIPHER_CTX_free((EVP_CIPHER_CTX*)data);
}

// aesGcmContext(key: Uint8Array(32)) → an opaque context, the key schedule done once.
static napi_value AesGcmContext(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t* key;
  size_t key_length;
  if (argc < 1 || !get_bytes(env, argv[0], &key, &key_length) || key_length != 32)
    return throw_error(env, "key must be a 32-byte Uint8Array");
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
      EVP_EncryptInit_ex(ctx, NULL, NULL, key, NULL) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    napi_throw_error(env, "UDP_BATCH_CRYPTO", "AES-256-GCM context setup failed");
    return NULL;
  }
  napi_value out;
  if (napi_create_external(env, ctx, free_context, NULL, &out) != napi_ok) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return out;
}

// aesGcmSeal(context, out, at, aad, message, iv) → the offset after `aad ‖ ciphertext ‖ tag(16)` written at `at`.
// The AAD is copied first so that the datagram is whole in `out`; `message` may not overlap `out`.
static napi_value AesGcmSeal(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return throw_error(env, "aesGcmSeal(context, out, at, aad, message, iv)");
  EVP_CIPHER_CTX* ctx;
  CHECK(napi_get_value_external(env, argv[0], (void**)&ctx));
  uint8_t *out, *aad, *message, *iv;
  size_t out_length, aad_length, message_length, iv_length;
  int32_t at;
  CHECK(napi_get_value_int32(env, argv[2], &at));
  if (!get_bytes(env, argv[1], &out, &out_length) || !get_bytes(env, argv[3], &aad, &aad_length) ||
      !get_bytes(env, argv[4], &message, &message_length) || !get_bytes(env, argv[5], &iv, &iv_length) ||
      iv_length != 12)
    return throw_error(env, "aesGcmSeal: Uint8Array arguments, 12-byte iv");
  if (at < 0 || (size_t)at + aad_length + message_length + 16 > out_length)
    return throw_error(env, "aesGcmSeal: no room in out");
  uint8_t* p = out + at;
  memcpy(p, aad, aad_length);
  int n = 0, tail = 0;
  if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
      (aad_length > 0 && EVP_EncryptUpdate(ctx, NULL, &n, p, (int)aad_length) != 1) ||
      EVP_EncryptUpdate(ctx, p + aad_length, &n, message, (int)message_length) != 1 ||
      EVP_EncryptFinal_ex(ctx, p + aad_length + n, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, p + aad_length + n + tail) != 1) {
    napi_throw_error(env, "UDP_BATCH_CRYPTO", "AES-256-GCM seal failed");
    return NULL;
  }
  return make_int(env, at + (int64_t)aad_length + n + tail + 16);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sendBatch", NULL, SendBatch, NULL, NULL, NULL, napi_default, NULL},
      {"aesGcmContext", NULL, AesGcmContext, NULL, NULL, NULL, napi_default, NULL},
      {"aesGcmSeal", NULL, AesGcmSeal, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
