/* The few URL shapes the contract uses: the server's http:// base and VOICE_SERVER_UPDATE's host:port endpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int cc_url_parse(const char *text, int default_port, cc_url *out) {
  if (!text) return -1;
  memset(out, 0, sizeof *out);
  const char *p = text;
  if (strncmp(p, "http://", 7) == 0)
    p += 7;
  else if (strncmp(p, "ws://", 5) == 0)
    p += 5;
  else if (strstr(p, "://"))
    return -1; /* https://, wss://: TLS is the integrator's (README.md, "TLS") */
  const char *host_end;
  const char *host_start = p;
  if (*p == '[') { /* [IPv6]:port */
    host_end = strchr(p, ']');
    if (!host_end) return -1;
    host_start = p + 1;
    p = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/");
    p = host_end;
  }
  size_t host_len = (size_t)(host_end - host_start);
  if (host_len == 0 || host_len >= sizeof out->host) return -1;
  memcpy(out->host, host_start, host_len);
  out->port = default_port;
  if (*p == ':') {
    char *end = NULL;
    long port = strtol(p + 1, &end, 10);
    if (end == p + 1 || port < 1 || port > 65535) return -1;
    out->port = (int)port;
    p = end;
  }
  if (*p && *p != '/') return -1;
  /* The base URL's path (a reverse proxy's prefix) goes in front of every route; no trailing slash. */
  size_t path_len = strlen(p);
  while (path_len > 0 && p[path_len - 1] == '/') path_len--;
  if (path_len >= sizeof out->path) return -1;
  memcpy(out->path, p, path_len);
  return 0;
}
