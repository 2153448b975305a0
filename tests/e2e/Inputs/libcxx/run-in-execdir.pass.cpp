// Runs in %T, where its data file was copied, with the environment libc++'s run.py gives
// (none), and built with the extra compile flags.
// FILE_DEPENDENCIES: data.txt
// ADDITIONAL_COMPILE_FLAGS: -DEXTRA=42
#include <cstdlib>
#include <fstream>
#include <string>
int main() {
  std::ifstream in("data.txt");
  std::string word;
  in >> word;
  if (word != "forty-two") return 1;
  if (std::getenv("PATH") != nullptr || std::getenv("HOME") != nullptr) return 2;
  return BASE + EXTRA == 43 ? 0 : 3;
}
