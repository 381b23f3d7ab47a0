// Other systems have no sendmmsg(2): the module loads but exports nothing, and the JavaScript side falls back.
#include <node_api.h>

static napi_value Init(napi_env env, napi_value exports) { return exports; }

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
