/* JSON through cJSON, with the bounds cJSON leaves to its caller: a size limit and a nesting limit checked by a scan
 * before parsing (cJSON's own limit is a compile-time 1000, deep enough to exhaust an engine thread's stack). */
#include <math.h>
#include <string.h>

#include "internal.h"

static int depth_ok(const char *s, size_t len, int max_depth) {
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return 0;
    } else if (c == '}' || c == ']') {
      depth--;
    }
  }
  return 1;
}

cJSON *cc_json_parse(const char *text, size_t len, size_t max_len, int max_depth) {
  if (!text || len > max_len || !depth_ok(text, len, max_depth)) return NULL;
  const char *end = NULL;
  cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  return j;
}

const char *cc_json_str(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long cc_json_int(const cJSON *obj, const char *key, long long def) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 9007199254740991.0) return def;
  return (long long)v->valuedouble;
}
