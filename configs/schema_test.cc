// The loader's key table, the JSON Schemas and docs/config-reference.md must describe the
// same keys: this test fails as soon as one of them gains a key the others lack.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "configs/field_table.h"

namespace litbox::config {
namespace {

using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json read_schema(const std::string& file) {
  return json::parse(read_text(std::string(LITBOX_SOURCE_DIR) + "/configs/schema/" + file + ".schema.json"));
}

// Collects every property path of a schema in accepted_key_paths' notation: "a.b" for
// properties, "[]" for array items; anyOf/oneOf/allOf branches share their parent's path. A
// $ref already being expanded (when → then → when) is not expanded again.
class SchemaPaths {
 public:
  explicit SchemaPaths(const json& root) : root_(root) {}

  std::set<std::string> collect() {
    walk(root_, "");
    return paths_;
  }
  const std::vector<std::string>& undocumented() const { return undocumented_; }

 private:
  void walk(const json& node, const std::string& path) {
    if (!node.is_object()) return;
    if (auto ref = node.find("$ref"); ref != node.end()) {
      std::string name = ref->get<std::string>();
      if (std::find(stack_.begin(), stack_.end(), name) == stack_.end()) {
        const std::string prefix = "#/$defs/";
        EXPECT_EQ(name.rfind(prefix, 0), 0u) << name;
        stack_.push_back(name);
        walk(root_["$defs"][name.substr(prefix.size())], path);
        stack_.pop_back();
      }
    }
    for (const char* combinator : {"anyOf", "oneOf", "allOf"})
      if (auto it = node.find(combinator); it != node.end())
        for (const json& branch : *it) walk(branch, path);
    if (auto props = node.find("properties"); props != node.end()) {
      for (const auto& [name, sub] : props->items()) {
        std::string p = path.empty() ? name : path + "." + name;
        paths_.insert(p);
        if (!sub.contains("description")) undocumented_.push_back(p);
        walk(sub, p);
      }
    }
    if (auto items = node.find("items"); items != node.end()) walk(*items, path + "[]");
  }

  const json& root_;
  std::vector<std::string> stack_;
  std::set<std::string> paths_;
  std::vector<std::string> undocumented_;
};

std::string describe_difference(const std::set<std::string>& loader, const std::set<std::string>& schema) {
  std::string out;
  for (const std::string& p : loader)
    if (!schema.count(p)) out += "  accepted by the loader, missing from the schema: " + p + "\n";
  for (const std::string& p : schema)
    if (!loader.count(p)) out += "  in the schema, not accepted by the loader: " + p + "\n";
  return out;
}

struct FileCase {
  FileKind kind;
  const char* file;
};

class SchemaTest : public ::testing::TestWithParam<FileCase> {};

TEST_P(SchemaTest, SchemaDescribesExactlyTheKeysTheLoaderAccepts) {
  json schema = read_schema(GetParam().file);
  SchemaPaths walker(schema);
  std::set<std::string> in_schema = walker.collect();
  std::vector<std::string> accepted = accepted_key_paths(GetParam().kind);
  std::set<std::string> in_loader(accepted.begin(), accepted.end());
  EXPECT_GT(in_loader.size(), 100u);  // the walk really went into nested maps and when blocks
  EXPECT_EQ(in_loader, in_schema) << describe_difference(in_loader, in_schema);
  EXPECT_EQ(walker.undocumented(), std::vector<std::string>{}) << "properties without a description";
}

TEST_P(SchemaTest, IsDraft202012WithAnId) {
  json schema = read_schema(GetParam().file);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["$id"], std::string("https://litbox.dev/schema/") + GetParam().file + ".schema.json");
  EXPECT_EQ(schema["additionalProperties"], false);
}

INSTANTIATE_TEST_SUITE_P(AllFiles, SchemaTest,
                         ::testing::Values(FileCase{kSuiteFile, "lit.yaml"}, FileCase{kLocalFile, "lit.local.yaml"},
                                           FileCase{kSiteFile, "lit.site.yaml"}),
                         [](const ::testing::TestParamInfo<FileCase>& param_info) {
                           std::string name = param_info.param.file;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(ConfigReference, DocumentsEveryKey) {
  std::string doc = read_text(std::string(LITBOX_SOURCE_DIR) + "/docs/config-reference.md");
  ASSERT_FALSE(doc.empty());
  std::set<std::string> keys;
  for (FileKind kind : {kSiteFile, kSuiteFile, kLocalFile})
    for (const std::string& p : accepted_key_paths(kind)) {
      // The add/remove/prepend forms and entry keys are documented with their list.
      if (p.find("[]") != std::string::npos || p.ends_with(".add") || p.ends_with(".remove") ||
          p.ends_with(".prepend"))
        continue;
      keys.insert(p);
    }
  for (const std::string& key : keys) EXPECT_NE(doc.find("### `" + key + "`"), std::string::npos) << key;
}

}  // namespace
}  // namespace litbox::config
