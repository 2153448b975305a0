// A C program compiled and run by the test, checked with FileCheck.
// RUN: %cc %s -o %t.exe
// RUN: %t.exe 7 | FileCheck %s
// CHECK: 7 squared is 49
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 0;
  printf("%d squared is %d\n", n, n * n);
  return 0;
}
