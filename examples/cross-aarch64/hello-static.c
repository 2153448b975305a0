// A statically linked aarch64 program, run by name as if it were native.
// REQUIRES: can-run=aarch64
// RUN: %cc -static -O1 %s -o %t.exe
// RUN: %t.exe world | FileCheck %s
// CHECK: hello, world, from aarch64
#include <stdio.h>

int main(int argc, char** argv) {
#if defined(__aarch64__)
  const char* arch = "aarch64";
#else
  const char* arch = "something else";
#endif
  printf("hello, %s, from %s\n", argc > 1 ? argv[1] : "nobody", arch);
  return 0;
}
