{
  "targets": [
    {
      "target_name": "alphanet_kernels",
      "sources": ["kernels.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno", "-std=gnu11"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-std=gnu11"] },
      "conditions": [["target_arch!='x64' and target_arch!='ia32'", { "type": "none" }]]
    }
  ]
}
