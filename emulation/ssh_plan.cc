#include "emulation/ssh_plan.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "emulation/elf.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

bool is_safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
}

bool exists(const std::string& p, bool* is_dir = nullptr) {
  struct stat st;
  if (stat(p.c_str(), &st) != 0) return false;
  if (is_dir) *is_dir = S_ISDIR(st.st_mode);
  return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

std::string basename_of(const std::string& p) {
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Characters that may precede an embedded path (`-o%t` is handled as position 0 of the
// remainder only via '=' ',' ':' separators; `-o/abs` style flags are handled explicitly).
bool is_path_separator(char c) { return c == '=' || c == ',' || c == ':'; }

// Programs of the operating system: the shell resolves `sh` to /usr/bin/sh, but on the target
// it is wherever the target keeps it.
bool is_system_program(const std::string& path) {
  for (const char* dir : {"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/"}) {
    if (starts_with(path, dir) && path.find('/', std::string_view(dir).size()) == std::string::npos) return true;
  }
  return false;
}

struct Root {
  std::string local;
  std::string remote_rel;  // "" for remote_dir itself
};

}  // namespace

std::string shell_quote(std::string_view s) {
  bool safe = !s.empty();
  for (char c : s) safe = safe && is_safe_char(c);
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

MappedCommand map_command(const std::vector<std::string>& argv, const RemoteLayout& layout) {
  MappedCommand out;
  std::vector<Root> roots;
  // The longer root first: when the suite builds in its source tree, %T is inside %S.
  if (!layout.output_dir.empty()) roots.push_back({layout.output_dir, ""});
  if (!layout.source_dir.empty()) roots.push_back({layout.source_dir, ".litbox/src"});
  if (roots.size() == 2 && roots[1].local.size() > roots[0].local.size()) std::swap(roots[0], roots[1]);

  auto add_upload = [&](const std::string& local, const std::string& remote) {
    for (const auto& u : out.uploads)
      if (u.local == local && u.remote == remote) return;
    out.uploads.push_back({local, remote});
  };
  auto remote_path = [&](const std::string& rel) {
    return rel.empty() ? layout.remote_dir : layout.remote_dir + "/" + rel;
  };

  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    std::string mapped;
    bool changed = false;
    size_t pos = 0;
    while (pos <= arg.size()) {
      // Find the next place where a root starts a path.
      size_t best = std::string::npos;
      const Root* root = nullptr;
      for (const auto& r : roots) {
        for (size_t p = arg.find(r.local, pos); p != std::string::npos; p = arg.find(r.local, p + 1)) {
          size_t end = p + r.local.size();
          bool starts_ok =
              p == 0 || is_path_separator(arg[p - 1]) || (p == 2 && arg[0] == '-');  // -o/abs/path, -I/abs/path
          bool ends_ok = end == arg.size() || arg[end] == '/';
          if (starts_ok && ends_ok) {
            if (p < best) {
              best = p;
              root = &r;
            }
            break;
          }
        }
      }
      if (!root) break;
      size_t end = arg.find_first_of(",:", best + root->local.size());
      if (end == std::string::npos) end = arg.size();
      std::string local = arg.substr(best, end - best);
      std::string rel = local.substr(root->local.size());
      if (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
      // `%S/../Inputs/x`: the remote name must not contain "..", which tar refuses (and which
      // could climb out of the test's directory). A path that stays below the root keeps its
      // place; one that leaves it is shipped under .litbox/abs/ by its absolute path.
      rel = std::filesystem::path(rel).lexically_normal().generic_string();
      if (rel == ".") rel.clear();
      if (!rel.empty() && rel.back() == '/') rel.pop_back();
      if (rel == ".." || starts_with(rel, "../")) {
        rel = ".litbox/abs" + std::filesystem::path(local).lexically_normal().generic_string();
      } else if (!root->remote_rel.empty()) {
        rel = rel.empty() ? root->remote_rel : root->remote_rel + "/" + rel;
      }
      if (local.size() > root->local.size() && exists(local)) add_upload(local, rel);
      mapped += arg.substr(pos, best - pos) + remote_path(rel);
      changed = true;
      pos = end;
    }
    if (changed) mapped += arg.substr(std::min(pos, arg.size()));
    std::string result = changed ? mapped : arg;
    if (i == 0 && !changed && is_system_program(arg)) {
      // The target has its own: run it by name, found on the target's PATH (a host binary
      // would not even be of the target's architecture).
      result = basename_of(arg);
    } else if (i == 0 && !changed) {
      bool is_dir = false;
      if (exists(arg, &is_dir) && !is_dir) {
        std::string rel = ".litbox/bin/" + basename_of(arg);
        add_upload(arg, rel);
        result = remote_path(rel);
      }
    }
    out.argv.push_back(std::move(result));
  }
  if (layout.ship_output_dir && !layout.output_dir.empty()) {
    std::vector<std::string> names;
    if (DIR* d = opendir(layout.output_dir.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && n != ".litbox") names.push_back(std::move(n));
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      bool known = false;
      for (const auto& u : out.uploads) known = known || u.remote == n;
      if (!known) add_upload(layout.output_dir + "/" + n, n);
    }
  }
  return out;
}

std::optional<std::string> remote_relative(const std::string& local, const RemoteLayout& layout) {
  auto under = [&](const std::string& root) {
    return !root.empty() && local.size() > root.size() + 1 && starts_with(local, root) && local[root.size()] == '/';
  };
  // The longer root first, as in map_command().
  bool out_first = layout.output_dir.size() >= layout.source_dir.size();
  for (int pass = 0; pass < 2; ++pass) {
    bool out = (pass == 0) == out_first;
    const std::string& root = out ? layout.output_dir : layout.source_dir;
    if (under(root)) {
      std::string rel = local.substr(root.size() + 1);
      return out ? rel : ".litbox/src/" + rel;
    }
  }
  return std::nullopt;
}

std::vector<std::string> add_library_uploads(MappedCommand& m, const RemoteLayout& layout) {
  std::vector<std::string> dirs;
  std::vector<Upload> libs;
  for (const auto& u : m.uploads) {
    bool is_dir = false;
    if (!exists(u.local, &is_dir) || is_dir) continue;
    auto elf = read_elf_header(u.local);
    if (!elf) continue;
    std::vector<std::string> search = {u.local.substr(0, u.local.rfind('/'))};
    if (!layout.output_dir.empty()) search.push_back(layout.output_dir);
    auto needed = resolve_needed(u.local, search);
    if (!needed) continue;
    for (const auto& lib : *needed) {
      if (lib.path.empty()) continue;
      auto rel = remote_relative(lib.path, layout);
      if (!rel) continue;  // a system library: the target has its own
      Upload up{lib.path, *rel};
      if (std::find(m.uploads.begin(), m.uploads.end(), up) == m.uploads.end() &&
          std::find(libs.begin(), libs.end(), up) == libs.end())
        libs.push_back(up);
      size_t slash = rel->rfind('/');
      std::string dir = layout.remote_dir + (slash == std::string::npos ? "" : "/" + rel->substr(0, slash));
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    }
  }
  m.uploads.insert(m.uploads.end(), libs.begin(), libs.end());
  return dirs;
}

std::string remote_script(const RemoteScript& s) {
  std::string id = std::to_string(s.id);
  std::string q = shell_quote(s.dir);
  std::string out;
  // Exit 255 before the marker: the executor reports it like an ssh failure, with the
  // remote shell's message from stderr.
  out += "umask 077 && mkdir -p " + q + "/.litbox && cd " + q + " || exit 255\n";
  if (s.extract) out += "tar -x -f - || exit 255\n";
  char mask[8];
  snprintf(mask, sizeof mask, "%03o", static_cast<unsigned>(s.umask & 0777));
  out += std::string("umask ") + mask + "\n";
  out += "echo $$ > .litbox/pid." + id + "\n";
  // Uploaded files carry mtime 1 (1970-01-01 00:00:01 UTC) and the stamp 2, so anything the
  // command writes is -newer than the stamp whatever the target's clock and timestamp
  // granularity (a stamp taken "now" would tie with files written in the same clock tick).
  if (!s.copy_back_prefix.empty()) out += "[ -f .litbox/stamp ] || TZ=UTC0 touch -t 197001010000.02 .litbox/stamp\n";
  out += "exec 4>&2 2>/dev/null\n";
  for (const auto& [name, value] : s.env) out += "export " + name + "=" + shell_quote(value) + "\n";
  // In a subshell that execs the command: a shell that waits for a command with redirections
  // prints "Segmentation fault" and the like to the command's stderr (dash does); here the
  // waiting shell's stderr is /dev/null.
  std::string cmd = "( exec ";
  for (const auto& a : s.argv) cmd += shell_quote(a) + " ";
  switch (s.stdin_mode) {
    case RemoteStdin::null:
      cmd += "</dev/null ";
      break;
    case RemoteStdin::file:
      cmd += "<" + shell_quote(s.stdin_file) + " ";
      break;
    case RemoteStdin::inherit:
      break;
  }
  out += cmd + "2>&4 4>&- )\n";
  out += "s=$?\n";
  out += "rm -f .litbox/pid." + id + "\n";
  out += "printf '%s %s\\n' " + shell_quote(s.marker) + " \"$s\" >&4\n";
  if (!s.copy_back_prefix.empty()) {
    // The glob runs before `set -f`; only then is the newline-split list safe from globbing.
    out += "F=$(find ./" + shell_quote(s.copy_back_prefix) + "* -newer .litbox/stamp -type f 2>/dev/null)\n";
    // Files sent back get mtime 1 again so the next spawn does not send them a second time.
    out +=
        "if [ -n \"$F\" ]; then set -f; IFS='\n'; tar -c -f - $F >&4; "
        "TZ=UTC0 touch -t 197001010000.01 $F; fi\n";
  }
  out += "exit $s\n";
  return out;
}

exec::ExitStatus remote_exit_status(int status) {
  exec::ExitStatus s;
  if (status > 128 && status <= 128 + 64) {
    s.signal = status - 128;
  } else {
    s.code = status;
  }
  return s;
}

std::string upload_script(const std::string& dir) {
  std::string q = shell_quote(dir);
  return "umask 077 && mkdir -p " + q + "/.litbox && cd " + q + " && tar -x -f -\n";
}

std::string cleanup_script(const std::string& dir, const std::vector<int>& ids, bool remove) {
  std::string q = shell_quote(dir);
  std::string files;
  for (int id : ids) files += " .litbox/pid." + std::to_string(id);
  if (files.empty()) files = " .litbox/pid.*";
  // A pid file exists while its command runs (the wrapper removes it after); one left by a
  // killed wrapper is removed here, so a recycled process group is never a target later.
  std::string out = "cd " + q + " 2>/dev/null || exit 0\n";
  out +=
      "for f in" + files + "; do [ -f \"$f\" ] && read p < \"$f\" && kill -9 -\"$p\" 2>/dev/null; rm -f \"$f\"; done\n";
  if (remove) out += "cd / && rm -rf " + q + "\n";
  out += "exit 0\n";
  return out;
}

std::vector<std::string> ssh_argv(const std::string& ssh_program, const SshSettings& s, const std::string& control_path,
                                  const std::string& remote_command) {
  std::vector<std::string> argv{ssh_program};
  if (!s.config_file.empty()) {
    argv.push_back("-F");
    argv.push_back(s.config_file);
  }
  // No tty (binary-clean stdio, separate stderr), and never prompt.
  argv.push_back("-T");
  // ssh keeps the first value it sees for each option: the user's come first.
  for (const auto& o : s.options) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  std::vector<std::string> defaults = {"BatchMode=yes", "LogLevel=ERROR", "ConnectTimeout=30", "ServerAliveInterval=15",
                                       "ServerAliveCountMax=4"};
  if (!control_path.empty()) {
    defaults.push_back("ControlMaster=auto");
    defaults.push_back("ControlPersist=" + std::to_string(s.control_persist_seconds));
    defaults.push_back("ControlPath=" + control_path);
  }
  if (!s.identity.empty()) defaults.push_back("IdentitiesOnly=yes");
  for (const auto& o : defaults) {
    argv.push_back("-o");
    argv.push_back(o);
  }
  if (s.port > 0) {
    argv.push_back("-p");
    argv.push_back(std::to_string(s.port));
  }
  if (!s.user.empty()) {
    argv.push_back("-l");
    argv.push_back(s.user);
  }
  if (!s.identity.empty()) {
    argv.push_back("-i");
    argv.push_back(s.identity);
  }
  argv.push_back("--");
  argv.push_back(s.host);
  if (!remote_command.empty()) argv.push_back(remote_command);
  return argv;
}

std::vector<std::string> ssh_control_exit_argv(const std::string& ssh_program, const SshSettings& s,
                                               const std::string& control_path) {
  std::vector<std::string> argv{ssh_program};
  if (!s.config_file.empty()) {
    argv.push_back("-F");
    argv.push_back(s.config_file);
  }
  argv.insert(argv.end(), {"-o", "ControlPath=" + control_path, "-o", "LogLevel=QUIET", "-O", "exit"});
  if (s.port > 0) argv.insert(argv.end(), {"-p", std::to_string(s.port)});
  if (!s.user.empty()) argv.insert(argv.end(), {"-l", s.user});
  argv.push_back("--");
  argv.push_back(s.host);
  return argv;
}

std::string sh_command(const std::string& script) { return "exec sh -c " + shell_quote(script); }

}  // namespace litbox::emulation
