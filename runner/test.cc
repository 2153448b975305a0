#include "runner/test.h"

#include "support/strings.h"

namespace litbox::runner {

std::string Test::path_string() const { return join(path_in_suite, "/"); }

std::string Test::full_name() const { return suite->name + " :: " + path_string(); }

}  // namespace litbox::runner
