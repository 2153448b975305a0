// lit 15's ShParser: `seq := pipeline (op pipeline)*`, left-associative with no precedence,
// `pipeline := command ('|' command)*`, `command := word (word | redirect)*`.
#pragma once

#include <string_view>

#include "runner/sh/ast.h"
#include "support/error.h"

namespace litbox::runner::sh {

/// Parses one RUN line (after substitutions and %dbg expansion). Every pipeline carries
/// `pipefail`. Errors carry lit's messages: "empty command!", "syntax error near unexpected
/// token '|'", "syntax error near token '>'", "missing argument to operator '&&'", or the
/// lexer's. lit reports every one of them the same way (see parse_error_output()).
Expected<Node> parse(std::string_view line, bool pipefail);

/// The whole log of a test whose RUN line does not parse: lit's
/// "shell parser error on: <Python repr of the line>".
std::string parse_error_output(std::string_view line);

}  // namespace litbox::runner::sh
