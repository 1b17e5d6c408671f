// Commands that need no container: spec, features, version and help.
#include <filesystem>

#include "harness.h"

namespace cocoon::integration {
namespace {

using CliTest = RuntimeTest;

TEST_F(CliTest, SpecWritesConfigJson) {
  std::string dir = tmp() + "/spec";
  std::filesystem::create_directories(dir);
  RunResult r = RunCommand({RuntimePath(), "spec"}, {.cwd = dir});
  ASSERT_TRUE(r.ok()) << r.Describe();
  json spec = json::parse(ReadFileOrEmpty(dir + "/config.json"), nullptr, false);
  ASSERT_TRUE(spec.is_object());
  EXPECT_TRUE(spec["ociVersion"].is_string());
  EXPECT_EQ(spec["process"]["args"], json({"sh"}));
  EXPECT_EQ(spec["root"]["path"], "rootfs");
  EXPECT_TRUE(spec["linux"]["namespaces"].is_array());

  // A second spec refuses to overwrite it.
  r = RunCommand({RuntimePath(), "spec"}, {.cwd = dir});
  EXPECT_NE(r.status, 0) << r.Describe();
}

TEST_F(CliTest, SpecBundleAndRootless) {
  std::string dir = tmp() + "/rootless";
  std::filesystem::create_directories(dir);
  RunResult r = Run({"spec", "--rootless", "--bundle", dir});
  ASSERT_TRUE(r.ok()) << r.Describe();
  json spec = json::parse(ReadFileOrEmpty(dir + "/config.json"), nullptr, false);
  ASSERT_TRUE(spec.is_object());
  bool has_user_ns = false;
  for (const auto& ns : spec["linux"]["namespaces"]) has_user_ns |= ns["type"] == "user";
  EXPECT_TRUE(has_user_ns);
  EXPECT_TRUE(spec["linux"]["uidMappings"].is_array());
}

TEST_F(CliTest, SpecOutputRunsAsIs) {
  // The default spec (with a terminal turned off) runs the busybox rootfs.
  std::string dir = tmp() + "/fromspec";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(Run({"spec", "--bundle", dir}).ok());
  json spec = json::parse(ReadFileOrEmpty(dir + "/config.json"));
  spec["root"]["path"] = rootfs();  // an absolute root path is allowed
  spec["process"]["terminal"] = false;
  spec["process"]["args"] = {"echo", "spec-ok"};
  spec["process"]["env"].push_back(marker_env());
  WriteTextFile(dir + "/config.json", spec.dump());
  RunResult r = Run({"run", "--bundle", dir, NewId()});
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "spec-ok\n") << r.Describe();
}

TEST_F(CliTest, FeaturesPrintsJson) {
  RunResult r = Run({"features"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  json features = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(features.is_object()) << r.Describe();
  EXPECT_TRUE(features["ociVersionMin"].is_string());
  EXPECT_TRUE(features["ociVersionMax"].is_string());
  EXPECT_TRUE(features["hooks"].is_array());
  EXPECT_TRUE(features["mountOptions"].is_array());
  EXPECT_TRUE(features["linux"]["namespaces"].is_array());
  EXPECT_TRUE(features["linux"]["capabilities"].is_array());
}

TEST_F(CliTest, VersionAndHelp) {
  RunResult r = Run({"--version"});
  EXPECT_TRUE(r.ok()) << r.Describe();
  EXPECT_NE(r.out.find("spec"), std::string::npos) << r.Describe();
  r = Run({"--help"});
  EXPECT_TRUE(r.ok()) << r.Describe();
  for (const char* command : {"create", "start", "run", "exec", "kill", "delete", "list", "state"}) {
    EXPECT_NE(r.out.find(command), std::string::npos) << command << "\n" << r.Describe();
  }
}

TEST_F(CliTest, JsonLogFormat) {
  std::string log = tmp() + "/runtime.log";
  RunResult r = Run({"--log", log, "--log-format", "json", "state", "nosuch"});
  EXPECT_NE(r.status, 0) << r.Describe();
  // The error lands in the log as JSON lines with level, msg and time.
  std::vector<std::string> lines = Lines(ReadFileOrEmpty(log));
  ASSERT_FALSE(lines.empty()) << "nothing logged to " << log;
  bool found = false;
  for (const auto& line : lines) {
    json entry = json::parse(line, nullptr, false);
    ASSERT_TRUE(entry.is_object()) << line;
    EXPECT_TRUE(entry.contains("level") && entry.contains("msg") && entry.contains("time")) << line;
    found |= entry.value("level", "") == "error" &&
             entry.value("msg", "").find("does not exist") != std::string::npos;
  }
  EXPECT_TRUE(found) << ReadFileOrEmpty(log);
}

}  // namespace
}  // namespace cocoon::integration
