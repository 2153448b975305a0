// REQUIRES: can-run=aarch64
// RUN: %cc %s -o %t.exe
// RUN: not --crash %{exec} %t.exe
#include <stdlib.h>
int main(void) { abort(); }
