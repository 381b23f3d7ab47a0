{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["native/udp_batch.c"],
      "cflags": ["-O2", "-Wall"],
      "conditions": [["OS!='linux'", {"sources!": ["native/udp_batch.c"], "sources": ["native/unsupported.c"]}]]
    }
  ]
}
