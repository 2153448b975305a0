#include "runner/bazel.h"

#include <fcntl.h>
#include <unistd.h>

namespace litbox::runner {

BazelTest bazel_test_from(const std::function<const char*(const char*)>& getenv) {
  auto get = [&](const char* name) {
    const char* v = getenv(name);
    return std::string(v ? v : "");
  };
  BazelTest b;
  b.xml_output_file = get("XML_OUTPUT_FILE");
  b.premature_exit_file = get("TEST_PREMATURE_EXIT_FILE");
  b.warnings_file = get("TEST_WARNINGS_OUTPUT_FILE");
  b.undeclared_outputs_dir = get("TEST_UNDECLARED_OUTPUTS_DIR");
  b.tmpdir = get("TEST_TMPDIR");
  return b;
}

PrematureExitGuard::PrematureExitGuard(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) close(fd);
}

PrematureExitGuard::~PrematureExitGuard() {
  if (!path_.empty()) unlink(path_.c_str());
}

}  // namespace litbox::runner
