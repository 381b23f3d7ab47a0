// One send(2) to a connected stream socket's descriptor, from a byte range of a Uint8Array.
//
// Why native: Node's socket.write runs the Writable state machine, a WriteWrap object and the stream binding per call
// (~1–2 µs of user CPU per write on the machines we measure), and a fan-out writes one frame per recipient. What the
// kernel does is the same send either way; this is the shortest path to it. The caller decides when it is safe (the
// socket has nothing queued in Node or libuv, so no byte can overtake another) and hands what the kernel does not take
// to socket.write (src/writeDirect.ts).
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 // macOS: no such flag; Node ignores SIGPIPE process-wide anyway
#endif

static napi_value make_int(napi_env env, int64_t value) {
  napi_value out;
  napi_create_int64(env, value, &out);
  return out;
}

// send(fd, bytes: Uint8Array, start, end) → bytes the kernel took (≥ 0), or -errno. Never blocks (MSG_DONTWAIT);
// never raises SIGPIPE (MSG_NOSIGNAL). Throws a TypeError for arguments out of range.
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int32_t fd, start, end;
  napi_typedarray_type type;
  size_t length, offset;
  uint8_t* data;
  napi_value buffer;
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &length, (void**)&data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array || napi_get_value_int32(env, argv[2], &start) != napi_ok ||
      napi_get_value_int32(env, argv[3], &end) != napi_ok || fd < 0 || start < 0 || end < start ||
      (size_t)end > length) {
    napi_throw_type_error(env, "TCP_WRITE_ARGUMENT", "send(fd ≥ 0, bytes: Uint8Array, 0 ≤ start ≤ end ≤ length)");
    return NULL;
  }
  ssize_t sent;
  do sent = send(fd, data + start, (size_t)(end - start), MSG_DONTWAIT | MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  return make_int(env, sent < 0 ? -errno : sent);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"send", NULL, Send, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
