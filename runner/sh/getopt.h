// Python's getopt.gnu_getopt(), which lit's builtins (mkdir, rm, cat, diff) parse with; its
// error texts end up in test logs ("option -x not recognized").
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/error.h"

namespace litbox::runner::sh {

struct GetoptResult {
  std::vector<std::pair<std::string, std::string>> opts;  ///< ("-p", "") or ("--name", "arg")
  std::vector<std::string> args;                          ///< the operands
};

/// gnu_getopt(args, shortopts, longopts): options and operands may be mixed; `--` ends
/// options; a lone `-` is an operand; long options match unique prefixes. With
/// `posixly_correct` (the POSIXLY_CORRECT environment variable) the first operand ends options.
/// The error is Python's GetoptError text, e.g. "option --foo not recognized".
Expected<GetoptResult> gnu_getopt(std::vector<std::string> args, std::string shortopts,
                                  const std::vector<std::string>& longopts, bool posixly_correct = false);

}  // namespace litbox::runner::sh
