// "Did you mean ...?" for misspelled keys and parameter names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace litbox::config {

/// The candidate closest to `name` by edit distance (insert, delete, substitute, swap of two
/// neighbours), or "" when none is close enough to be a plausible typo: the distance must be
/// at most max(1, len(name) / 3). Ties go to the earliest candidate.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" for closest_name's answer, or "" when there is none.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace litbox::config
