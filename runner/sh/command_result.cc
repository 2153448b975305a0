#include "runner/sh/command_result.h"

#include "runner/sh/py_text.h"

namespace litbox::runner::sh {

std::string format_log(const std::vector<CommandResult>& results, bool timeout_active) {
  std::string out;
  for (const CommandResult& r : results) {
    out += "$";
    for (const auto& a : r.args) out += " \"" + a + "\"";
    out += "\n";
    bool out_blank = py_str_blank(r.out), err_blank = py_str_blank(r.err);
    if (!timeout_active && r.exit_code == 0 && out_blank && err_blank) continue;
    for (const OutputFile& f : r.output_files) {
      if (!f.more && py_bytes_blank(f.data)) continue;  // (`more`: text follows a blank head)
      out += "# redirected output from " + f.name_repr + ":\n";
      std::string data = utf8_decode_replace(f.data);
      bool truncated = false;
      std::string head = utf8_prefix(data, 1024, &truncated);
      truncated = truncated || f.more;
      if (truncated) {
        out += head + "\n...\n";
        out += "note: data was truncated\n";
      } else {
        out += data;
      }
      out += "\n";
    }
    auto cut_note = [&](uint64_t dropped) {
      if (dropped)
        out += "note: " + std::to_string(dropped) + " more bytes of this output were not kept (output_limit)\n";
    };
    if (!out_blank) out += "# command output:\n" + r.out + "\n";
    cut_note(r.out_dropped);
    if (!err_blank) out += "# command stderr:\n" + r.err + "\n";
    cut_note(r.err_dropped);
    if (out_blank && err_blank) out += "note: command had no output on stdout or stderr\n";
    if (r.exit_code != 0) {
      std::string code = r.exit_code_is_bool ? "True" : std::to_string(r.exit_code);
      out += "error: command failed with exit status: " + code + "\n";
    }
    if (timeout_active && r.timeout_reached) out += "error: command reached timeout: True\n";
  }
  return out;
}

}  // namespace litbox::runner::sh
