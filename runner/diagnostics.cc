#include "runner/diagnostics.h"

#include <cstdio>

namespace litbox::runner {

void Diagnostics::note(const std::string& msg) {
  if (!quiet) std::fprintf(stderr, "litbox: note: %s\n", msg.c_str());
}

void Diagnostics::note_at(const std::string& where, const std::string& msg) {
  if (!quiet) std::fprintf(stderr, "litbox: %s: note: %s\n", where.c_str(), msg.c_str());
}

void Diagnostics::fatal_at(const std::string& where, const std::string& msg) {
  ++errors_;
  fatal_ = true;
  std::fprintf(stderr, "litbox: %s: fatal: %s\n", where.c_str(), msg.c_str());
}

void Diagnostics::warning(const std::string& msg) {
  ++warnings_;
  std::fprintf(stderr, "litbox: warning: %s\n", msg.c_str());
  if (!warnings_file.empty())
    if (FILE* f = std::fopen(warnings_file.c_str(), "a")) {
      std::fprintf(f, "litbox: warning: %s\n", msg.c_str());
      std::fclose(f);
    }
}

void Diagnostics::error(const std::string& msg) {
  ++errors_;
  std::fprintf(stderr, "litbox: error: %s\n", msg.c_str());
}

}  // namespace litbox::runner
