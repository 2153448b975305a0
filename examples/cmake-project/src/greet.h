#pragma once
#include <string>

// "Hello, <name>!"; an empty name is an error (std::invalid_argument).
std::string greet(const std::string& name);
