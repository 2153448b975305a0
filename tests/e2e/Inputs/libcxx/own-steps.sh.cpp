// RUN: %{build}
// RUN: %{run} > %t.out
// RUN: grep -q 'from own-steps' %t.out
#include <cstdio>
int main() { std::puts("from own-steps"); }
