// REQUIRES: can-run=aarch64
// RUN: %cc %s -o %t.exe
// RUN: %{exec} %t.exe
#include <unistd.h>
int main(void) { sleep(60); return 0; }
