// The program writes a file under %t that a later, local command reads.
// REQUIRES: can-run=aarch64
// RUN: %cc %s -o %t.exe
// RUN: %t.exe %t.out
// RUN: FileCheck %s < %t.out
// CHECK: written by aarch64 code
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  FILE* f = fopen(argv[1], "w");
  if (!f) return 1;
  fprintf(f, "written by aarch64 code\n");
  return fclose(f) == 0 ? 0 : 1;
}
