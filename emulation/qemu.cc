#include "emulation/qemu.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "emulation/elf.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

bool is_executable_file(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}

bool is_directory(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string hex_escape(const std::vector<uint8_t>& bytes, size_t from) {
  std::string out;
  char buf[5];
  for (size_t i = from; i < bytes.size(); ++i) {
    snprintf(buf, sizeof buf, "\\x%02x", bytes[i]);
    out += buf;
  }
  return out;
}

std::string process_path() {
  const char* p = getenv("PATH");
  return p ? p : "/usr/local/bin:/usr/bin:/bin";
}

// Looks up an emulator, remembering the answer: the decorator asks on every foreign spawn
// and PATH does not change during a run.
class QemuFinder {
 public:
  explicit QemuFinder(std::string path) : path_(std::move(path)) {}
  std::optional<std::string> find(Arch arch) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(arch);
    if (it == cache_.end()) it = cache_.emplace(arch, find_qemu(arch, path_)).first;
    return it->second;
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::map<Arch, std::optional<std::string>> cache_;
};

bool is_launcher(const std::string& path, const QemuOptions& opts) {
  std::string base = path.substr(path.rfind('/') + 1);
  return std::find(opts.launchers.begin(), opts.launchers.end(), base) != opts.launchers.end();
}

Expected<exec::SpawnRequest> plan(exec::SpawnRequest req, const QemuOptions& opts,
                                  const std::function<std::optional<std::string>(Arch)>& find, exec::FileSystem& fs) {
  // The program is argv[0], or, behind launchers such as `not --crash`, their first
  // non-option argument (only if it is a path: a bare name is looked up by the launcher).
  size_t at = 0;
  while (at < req.argv.size() && is_launcher(req.argv[at], opts)) {
    size_t next = at + 1;
    while (next < req.argv.size() && starts_with(req.argv[next], "-")) ++next;
    if (next >= req.argv.size() || req.argv[next].find('/') == std::string::npos) return req;
    at = next;
  }
  if (at >= req.argv.size()) return req;
  // The file the kernel would run: SpawnRequest::executable when the shell resolved argv[0]
  // (a bare or ./relative name) to a path.
  const std::string program = at == 0 && !req.executable.empty() ? req.executable : req.argv[at];
  auto elf = read_elf_header(fs, program);
  // Scripts, unreadable files and unknown machines go through untouched: the inner executor
  // reports exec errors exactly as it would without emulation.
  if (!elf || elf->arch == Arch::unknown || runs_natively(elf->arch, opts.host)) return req;
  std::string name(arch_name(elf->arch));
  auto qemu = find(elf->arch);
  if (!qemu) {
    return Error("no emulator for " + name + " binary " + py_repr(program) + ": install qemu-user (qemu-" + name +
                 " not found on PATH)");
  }
  std::string sysroot = opts.sysroot.empty() ? default_sysroot(elf->arch) : opts.sysroot;
  std::vector<std::string> prefix{*qemu};
  if (!sysroot.empty()) {
    prefix.push_back("-L");
    prefix.push_back(sysroot);
    // Processes the emulated program starts through binfmt_misc get their own QEMU, which
    // only learns the sysroot from the environment.
    std::erase_if(req.env, [](const std::string& e) { return starts_with(e, "QEMU_LD_PREFIX="); });
    req.env.push_back("QEMU_LD_PREFIX=" + sysroot);
  }
  prefix.insert(prefix.end(), opts.extra_args.begin(), opts.extra_args.end());
  if (at == 0 && !req.executable.empty()) {
    // QEMU runs the resolved file and shows the program its argv[0] as written (-0).
    prefix.push_back("-0");
    prefix.push_back(req.argv[0]);
    req.argv[0] = program;
    req.executable.clear();
  }
  req.argv.insert(req.argv.begin() + static_cast<std::ptrdiff_t>(at), prefix.begin(), prefix.end());
  return req;
}

class QemuSession : public exec::Session {
 public:
  QemuSession(boost::asio::io_context& io, std::unique_ptr<exec::Session> inner, const QemuOptions& opts,
              std::shared_ptr<QemuFinder> finder)
      : io_(io), inner_(std::move(inner)), opts_(opts), finder_(std::move(finder)) {}

  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    // The header is read the way the test's processes see the file (a sandbox cell's view).
    auto planned = plan(
        std::move(req), opts_, [this](Arch a) { return finder_->find(a); }, inner_->fs());
    if (!planned) {
      exec::ExitStatus s;
      s.code = 127;
      s.error = planned.error().message;
      boost::asio::post(io_, [on_exit = std::move(on_exit), s] { on_exit(s); });
      return;
    }
    inner_->spawn(std::move(*planned), std::move(on_exit));
  }
  void terminate() override { inner_->terminate(); }
  void async_wait_ready(std::function<void(Status)> on_ready) override { inner_->async_wait_ready(std::move(on_ready)); }
  exec::FileSystem& fs() override { return inner_->fs(); }
  std::map<std::string, std::string> environment_overrides() const override {
    auto env = inner_->environment_overrides();
    if (!opts_.sysroot.empty()) env["QEMU_LD_PREFIX"] = opts_.sysroot;
    return env;
  }
  void close() override { inner_->close(); }
  void async_close(std::function<void(exec::CloseReport)> done) override { inner_->async_close(std::move(done)); }

 private:
  boost::asio::io_context& io_;
  std::unique_ptr<exec::Session> inner_;
  const QemuOptions& opts_;
  std::shared_ptr<QemuFinder> finder_;
};

class QemuExecutor : public exec::Executor {
 public:
  QemuExecutor(boost::asio::io_context& io, std::unique_ptr<exec::Executor> inner, QemuOptions opts)
      : io_(io), inner_(std::move(inner)), opts_(std::move(opts)), finder_(std::make_shared<QemuFinder>(opts_.path)) {}

  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    auto inner = inner_->open(spec);
    if (!inner) return inner.error();
    return std::unique_ptr<exec::Session>(std::make_unique<QemuSession>(io_, std::move(*inner), opts_, finder_));
  }
  std::string name() const override { return "qemu"; }

 private:
  boost::asio::io_context& io_;
  std::unique_ptr<exec::Executor> inner_;
  QemuOptions opts_;  // sessions keep a reference: they never outlive their executor
  std::shared_ptr<QemuFinder> finder_;
};

}  // namespace

std::optional<std::string> find_qemu(Arch arch, const std::string& path) {
  if (arch == Arch::unknown) return std::nullopt;
  std::string base = "qemu-" + std::string(arch_name(arch));
  for (const auto& dir : split(path, ':')) {
    // An empty PATH entry means the current directory; an emulator found there would depend
    // on where litbox happens to run, so it is not used.
    if (dir.empty()) continue;
    for (const char* suffix : {"", "-static"}) {
      std::string candidate = dir + "/" + base + suffix;
      if (is_executable_file(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

std::string binfmt_rule(Arch arch, const std::string& qemu, const BinfmtOptions& opts) {
  const ArchInfo* a = arch_info(arch);
  if (!a) return "";
  // The first 20 bytes of an ELF header: e_ident (magic, class, data, version, OS ABI, ABI
  // version, padding), e_type and e_machine in the file's byte order.
  std::vector<uint8_t> magic = {0x7f,
                                'E',
                                'L',
                                'F',
                                static_cast<uint8_t>(a->elf_class == 64 ? 2 : 1),
                                static_cast<uint8_t>(a->big_endian ? 2 : 1),
                                1};
  magic.resize(16, 0);
  auto push16 = [&](uint16_t v) {
    uint8_t hi = static_cast<uint8_t>(v >> 8), lo = static_cast<uint8_t>(v & 0xff);
    if (a->big_endian) {
      magic.push_back(hi);
      magic.push_back(lo);
    } else {
      magic.push_back(lo);
      magic.push_back(hi);
    }
  };
  push16(2);  // ET_EXEC; the mask below also admits ET_DYN (3), i.e. PIE executables
  push16(a->elf_machine);
  // Mask: ignore the OS ABI byte (Linux binaries say SYSV or GNU) and the low bit of e_type.
  std::vector<uint8_t> mask(20, 0xff);
  mask[7] = 0x00;
  mask[a->big_endian ? 17 : 16] = 0xfe;
  // QEMU's table relaxes a few more bits for historical ELF variants; keep them identical so
  // a cell accepts what a Debian host with qemu-user-binfmt accepts.
  if (arch == Arch::i386 || arch == Arch::x86_64 || arch == Arch::alpha) mask[5] = mask[6] = 0xfe;
  if (arch == Arch::m68k) mask[6] = 0xfe;
  if (arch == Arch::ppc64le) mask[19] = 0x00;
  std::string flags;
  if (opts.preserve_argv0) flags += 'P';
  if (opts.fix_binary) flags += 'F';
  return ":qemu-" + std::string(a->name) + ":M::\\x7fELF" + hex_escape(magic, 4) + ":" + hex_escape(mask, 0) + ":" +
         qemu + ":" + flags;
}

std::vector<std::string> binfmt_rules(Arch host, const std::string& path, const BinfmtOptions& opts) {
  std::vector<std::string> rules;
  for (const auto& a : all_arches()) {
    if (runs_natively(a.arch, host)) continue;
    // An entry matching the host's own binaries would send every native program to QEMU.
    if (const ArchInfo* h = arch_info(host);
        h && h->elf_machine == a.elf_machine && h->elf_class == a.elf_class && h->big_endian == a.big_endian)
      continue;
    if (auto qemu = find_qemu(a.arch, path)) rules.push_back(binfmt_rule(a.arch, *qemu, opts));
  }
  return rules;
}

std::vector<std::string> runnable_arch_features(Arch host, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& a : all_arches()) {
    if (runs_natively(a.arch, host) || find_qemu(a.arch, path)) out.push_back("can-run=" + std::string(a.name));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string default_sysroot(Arch arch) {
  const ArchInfo* a = arch_info(arch);
  if (!a || !*a->multiarch) return "";
  std::string root = std::string("/usr/") + a->multiarch;
  return is_directory(root + "/lib") ? root : "";
}

Expected<exec::SpawnRequest> plan_qemu_spawn(exec::SpawnRequest req, const QemuOptions& opts) {
  std::string path = opts.path.empty() ? process_path() : opts.path;
  return plan(
      std::move(req), opts, [&](Arch a) { return find_qemu(a, path); }, exec::host_filesystem());
}

Expected<std::unique_ptr<exec::Executor>> make_qemu_executor(boost::asio::io_context& io,
                                                             std::unique_ptr<exec::Executor> inner, QemuOptions opts) {
  if (!opts.sysroot.empty() && !is_directory(opts.sysroot))
    return Error("qemu sysroot " + py_repr(opts.sysroot) + " is not a directory");
  if (opts.path.empty()) opts.path = process_path();
  return std::unique_ptr<exec::Executor>(std::make_unique<QemuExecutor>(io, std::move(inner), std::move(opts)));
}

}  // namespace litbox::emulation
