// REQUIRES: can-run=aarch64
// RUN: %cc %s -o %t.exe
// RUN: %{exec} %t.exe 3 | FileCheck %s
// RUN: %{exec} %t.exe twice | FileCheck %s --check-prefix=AGAIN
// CHECK: arg 3
// AGAIN: arg twice
#include <stdio.h>
int main(int c, char **v) { printf("arg %s\n", v[1]); return 0; }
