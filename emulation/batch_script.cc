#include "emulation/batch_script.h"

#include <cstdio>

#include "emulation/ssh_plan.h"

namespace litbox::emulation {

namespace {

std::string words(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " ") + s;
  return out;
}

void assign(std::string& out, const char* name, const std::string& value) {
  out += std::string(name) + "=" + shell_quote(value) + "\n";
}

}  // namespace

const std::string& batch_driver_text() {
  static const std::string text =
#include "batch_driver_text.inc"
      ;
  return text;
}

bool is_shell_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string batch_command_script(const BatchScriptSpec& spec) {
  std::string out;
  assign(out, "R", spec.run_dir);
  assign(out, "B", spec.batch_dir);
  out += "P=" + std::to_string(spec.parallelism < 1 ? 1 : spec.parallelism) + "\n";
  out += "W=" + std::to_string(spec.timeout_seconds < 0 ? 0 : spec.timeout_seconds) + "\n";
  assign(out, "K", spec.token);
  std::vector<std::string> ids;
  for (int id : spec.ids) ids.push_back(std::to_string(id));
  // Word lists: the items are generated names (s12, hex digests, numbers) without blanks or
  // glob characters, so the driver may split them.
  assign(out, "IDS", words(ids));
  assign(out, "GC", words(spec.gc));
  assign(out, "NEW", words(spec.new_store));
  return out + batch_driver_text();
}

std::string job_script(const JobSpec& s) {
  std::string out;
  assign(out, "D", s.dir);
  assign(out, "O", s.output_dir.empty() ? s.dir : s.output_dir);
  assign(out, "C", s.copy_back_prefix);
  out += "T=" + std::to_string(s.timeout_seconds < 0 ? 0 : s.timeout_seconds) + "\n";
  assign(out, "I", s.stdin_file.empty() ? "/dev/null" : s.stdin_file);
  if (s.merge_stderr) out += "E=o\n";
  // Failures are reported through Z, never by exiting: the worker must always report back.
  out += "cd \"$D\" 2>/dev/null || Z=\"cannot enter $D\"\n";
  for (const auto& [from, to] : s.copies)
    out += "[ -n \"$Z\" ] || { Z=$(cp -p " + shell_quote(from) + " " + shell_quote(to) +
           " 2>&1) || Z=${Z:-cp failed}; }\n";
  char mask[8];
  snprintf(mask, sizeof mask, "%03o", static_cast<unsigned>(s.umask & 0777));
  out += std::string("umask ") + mask + "\n";
  // ulimit takes KiB for -v and -s and 512-byte blocks for -f; options a shell lacks are
  // skipped silently (best effort, like lit's own ulimit handling on other systems).
  auto limit = [&](const char* opt, uint64_t value) {
    if (value) out += std::string("ulimit ") + opt + " " + std::to_string(value) + " 2>/dev/null\n";
  };
  limit("-v", s.limits.address_space / 1024);
  limit("-t", s.limits.cpu_seconds);
  limit("-f", s.limits.file_size / 512);
  limit("-n", s.limits.open_files);
  limit("-u", s.limits.processes);
  limit("-s", s.limits.stack / 1024);
  for (const auto& [name, value] : s.env)
    if (is_shell_name(name)) out += "export " + name + "=" + shell_quote(value) + "\n";
  out += "set --";
  for (const auto& a : s.argv) out += " " + shell_quote(a);
  out += "\n";
  return out;
}

std::string batch_kill_script(const std::string& batch_dir, const std::vector<int>& ids, bool remove) {
  std::string out;
  assign(out, "B", batch_dir);
  out += "[ -d \"$B\" ] || exit 0\n";
  std::string files;
  if (ids.empty()) {
    // The driver and its workers first, so that no request starts after the sweep.
    out += "[ -f \"$B/.pid\" ] && read -r p <\"$B/.pid\" && [ -n \"$p\" ] && kill -9 -\"$p\" 2>/dev/null\n";
    files = "\"$B\"/*.p";
  } else {
    for (int id : ids) files += " \"$B/" + std::to_string(id) + ".p\"";
  }
  // A request run by setsid(1) leads its own process group; one run directly (a target
  // without setsid) is a plain child of its worker, killed by pid. A request with a result
  // (<id>.h) is over: its pid may belong to someone else by now.
  out += "for f in " + files +
         "; do [ -f \"$f\" ] && [ ! -f \"${f%.p}.h\" ] && read -r p <\"$f\" && [ -n \"$p\" ] && "
         "{ kill -9 -\"$p\" 2>/dev/null; kill -9 \"$p\" 2>/dev/null; }; done\n";
  if (remove) out += "cd / && rm -rf \"$B\"\n";
  out += "exit 0\n";
  return out;
}

std::string run_removal_script(const std::string& run_dir) {
  std::string out;
  assign(out, "R", run_dir);
  out += "[ -d \"$R\" ] || exit 0\n";
  out +=
      "for B in \"$R\"/b*; do [ -d \"$B\" ] || continue; "
      "[ -f \"$B/.pid\" ] && read -r p <\"$B/.pid\" && [ -n \"$p\" ] && kill -9 -\"$p\" 2>/dev/null; "
      "for f in \"$B\"/*.p; do [ -f \"$f\" ] && [ ! -f \"${f%.p}.h\" ] && read -r p <\"$f\" && [ -n \"$p\" ] && "
      "{ kill -9 -\"$p\" 2>/dev/null; kill -9 \"$p\" 2>/dev/null; }; done; done\n";
  out += "cd / && rm -rf \"$R\"\nexit 0\n";
  return out;
}

}  // namespace litbox::emulation
