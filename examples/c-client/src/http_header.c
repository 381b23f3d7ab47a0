/* One header of an HTTP/1.1 head, for both the REST answers (http.c) and the WebSocket handshake answer (ws.c). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

const char *cc_http_header(const char *head, size_t head_len, const char *name, size_t *value_len) {
  size_t name_len = strlen(name);
  const char *end = head + head_len;
  /* The status line is skipped: names are matched at the start of the lines after it, case-insensitively. */
  const char *line = memchr(head, '\n', head_len);
  while (line && line + 1 < end) {
    line++;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol) eol = end;
    if ((size_t)(eol - line) > name_len && strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
      const char *v = line + name_len + 1;
      while (v < eol && (*v == ' ' || *v == '\t')) v++;
      const char *ve = eol;
      while (ve > v && isspace((unsigned char)ve[-1])) ve--;
      *value_len = (size_t)(ve - v);
      return v;
    }
    line = eol;
  }
  return NULL;
}
