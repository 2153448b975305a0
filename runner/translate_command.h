// `litbox translate PATH [--force] [-D NAME=VAL]...`: turns lit's Python configs into
// lit.site.yaml / lit.yaml / lit.local.yaml by executing them the way lit does, against the
// real lit package (scripts/lit-to-yaml does the work; this finds and runs it).
#pragma once

namespace litbox::runner {

/// Runs the translator; argv[0] is "translate". Returns its exit status.
int translate_main(int argc, char** argv);

}  // namespace litbox::runner
