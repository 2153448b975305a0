#include "runner/sh/getopt.h"

#include <optional>

namespace litbox::runner::sh {

namespace {

size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1; }

Expected<std::pair<bool, std::string>> long_has_args(const std::string& opt, const std::vector<std::string>& longopts) {
  std::vector<std::string> possibilities;
  for (const auto& o : longopts)
    if (o.compare(0, opt.size(), opt) == 0) possibilities.push_back(o);
  if (possibilities.empty()) return Error("option --" + opt + " not recognized");
  for (const auto& p : possibilities)
    if (p == opt) return std::make_pair(false, opt);
  for (const auto& p : possibilities)
    if (p == opt + "=") return std::make_pair(true, opt);
  if (possibilities.size() > 1) return Error("option --" + opt + " not a unique prefix");
  std::string unique = possibilities[0];
  bool has_arg = !unique.empty() && unique.back() == '=';
  if (has_arg) unique.pop_back();
  return std::make_pair(has_arg, unique);
}

Expected<bool> short_has_arg(const std::string& opt, const std::string& shortopts) {
  for (size_t i = 0; i < shortopts.size(); i += utf8_len(shortopts[i])) {
    std::string c = shortopts.substr(i, utf8_len(shortopts[i]));
    if (c == opt && c != ":") return i + c.size() < shortopts.size() && shortopts[i + c.size()] == ':';
  }
  return Error("option -" + opt + " not recognized");
}

}  // namespace

Expected<GetoptResult> gnu_getopt(std::vector<std::string> args, std::string shortopts,
                                  const std::vector<std::string>& longopts, bool posixly_correct) {
  GetoptResult r;
  bool all_options_first = posixly_correct;
  if (!shortopts.empty() && shortopts[0] == '+') {
    shortopts.erase(0, 1);
    all_options_first = true;
  }
  size_t i = 0;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a == "--") {
      r.args.insert(r.args.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.compare(0, 2, "--") == 0) {
      std::string opt = a.substr(2);
      std::optional<std::string> optarg;
      if (size_t eq = opt.find('='); eq != std::string::npos) {
        optarg = opt.substr(eq + 1);
        opt.resize(eq);
      }
      auto has = long_has_args(opt, longopts);
      if (!has) return has.error();
      opt = has->second;
      ++i;
      if (has->first) {
        if (!optarg) {
          if (i >= args.size()) return Error("option --" + opt + " requires argument");
          optarg = args[i++];
        }
      } else if (optarg) {
        return Error("option --" + opt + " must not have an argument");
      }
      r.opts.emplace_back("--" + opt, optarg.value_or(""));
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::string optstring = a.substr(1);
      ++i;
      while (!optstring.empty()) {
        size_t n = utf8_len(optstring[0]);
        std::string opt = optstring.substr(0, n);
        optstring.erase(0, n);
        auto has = short_has_arg(opt, shortopts);
        if (!has) return has.error();
        std::string optarg;
        if (*has) {
          if (optstring.empty()) {
            if (i >= args.size()) return Error("option -" + opt + " requires argument");
            optstring = args[i++];
          }
          optarg = optstring;
          optstring.clear();
        }
        r.opts.emplace_back("-" + opt, optarg);
      }
    } else {
      if (all_options_first) {
        r.args.insert(r.args.end(), args.begin() + i, args.end());
        break;
      }
      r.args.push_back(a);
      ++i;
    }
  }
  return r;
}

}  // namespace litbox::runner::sh
