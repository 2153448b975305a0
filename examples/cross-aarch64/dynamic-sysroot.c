// A dynamically linked aarch64 program: its loader and libc come from target.sysroot.
// REQUIRES: can-run=aarch64
// RUN: %cc -O1 %s -o %t.exe -lm
// RUN: %t.exe 2 | FileCheck %s
// CHECK: sqrt(2) = 1.414214
// CHECK-NEXT: dynamic: yes
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  double x = argc > 1 ? atof(argv[1]) : 0;
  printf("sqrt(%g) = %f\n", x, sqrt(x));
#ifdef __PIC__
  printf("dynamic: yes\n");
#else
  printf("dynamic: no\n");
#endif
  return 0;
}
