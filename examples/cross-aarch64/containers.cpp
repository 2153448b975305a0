// C++ with the sysroot's libstdc++: containers, exceptions, and stdin piped in.
// REQUIRES: can-run=aarch64
// RUN: %cxx -O1 %s -o %t.exe
// RUN: printf 'pear\napple\nfig\n' | %t.exe | FileCheck %s
// CHECK: 3 words
// CHECK-NEXT: apple
// CHECK-NEXT: fig
// CHECK-NEXT: pear
// CHECK-NEXT: caught: out of range
#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

int main() {
  std::vector<std::string> words;
  for (std::string w; std::cin >> w;) words.push_back(w);
  std::sort(words.begin(), words.end());
  std::cout << words.size() << " words\n";
  for (const auto& w : words) std::cout << w << "\n";
  try {
    (void)words.at(99);
  } catch (const std::out_of_range&) {
    std::cout << "caught: out of range\n";
  }
  return 0;
}
