// Windows: a socket's handle is not a descriptor send(2) takes, so the module exports nothing and every write goes
// through socket.write.
#include <node_api.h>

static napi_value Init(napi_env env, napi_value exports) { return exports; }

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
