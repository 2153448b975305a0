// Exit codes and crashes of an emulated program reach lit's `not` as they would natively.
// REQUIRES: can-run=aarch64
// RUN: %cc -static %s -o %t.exe
// RUN: %t.exe ok
// RUN: not %t.exe fail 2>&1 | FileCheck --check-prefix=FAIL %s
// RUN: not --crash %t.exe abort
// FAIL: failing on purpose
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "ok";
  if (!strcmp(what, "fail")) {
    fprintf(stderr, "failing on purpose\n");
    return 3;
  }
  if (!strcmp(what, "abort")) abort();
  return 0;
}
