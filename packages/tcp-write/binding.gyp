{
  "targets": [
    {
      "target_name": "tcp_write",
      "sources": ["native/tcp_write.c"],
      "cflags": ["-O2", "-Wall"],
      "conditions": [["OS=='win'", {"sources!": ["native/tcp_write.c"], "sources": ["native/unsupported.c"]}]]
    }
  ]
}
