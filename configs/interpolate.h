// `${name}` interpolation of config string values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::config {

/// Expands, left to right in one pass (expanded text is not re-scanned):
///   `${name}`     → params[name]; an unknown name is an error;
///   `${env:NAME}` → the host environment variable NAME, "" when unset;
///   `$$`          → `$`.
/// Any other `$` is kept as is, so regexes ending in `$` need no escaping. Names are
/// [A-Za-z0-9_.-]+. The error message has no location; the caller adds the YAML node's.
Expected<std::string> interpolate(std::string_view text, const std::map<std::string, std::string>& params);

/// What `${env:PATH}` becomes in an `environment.set` value: a marker that stands for the
/// test's *base* PATH, which the runner knows and the loader does not (the `--path` dirs and
/// the host's PATH, as lit has it, or, in a sandboxed test, a fixed system PATH instead of the
/// host's). It is a control character sequence no YAML scalar of a config contains.
inline constexpr std::string_view kBasePathMarker = "\x1e${env:PATH}\x1e";

/// interpolate(), but `${env:PATH}` becomes kBasePathMarker (for `environment.set`).
Expected<std::string> interpolate_deferring_path(std::string_view text,
                                                 const std::map<std::string, std::string>& params);

/// `value` with each kBasePathMarker replaced by `base_path`.
std::string expand_base_path(std::string_view value, std::string_view base_path);

/// The `${name}` parameter names `text` refers to, in order (not env: references). Lets a
/// caller skip a value whose parameters are not defined instead of failing.
std::vector<std::string> referenced_parameters(std::string_view text);

/// True if `text` contains something interpolate() would change (a quick check that lets
/// the loader skip the copy for the common plain string).
bool needs_interpolation(std::string_view text);

}  // namespace litbox::config
