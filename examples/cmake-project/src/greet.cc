#include "greet.h"

#include <stdexcept>

std::string greet(const std::string& name) {
  if (name.empty()) throw std::invalid_argument("greet: empty name");
  return "Hello, " + name + "!";
}
