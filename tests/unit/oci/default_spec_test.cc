// Tests that DefaultSpec is the document `runc spec` writes, and a valid spec.
#include "oci/default_spec.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"
#include "oci/parse.h"
#include "oci/validate.h"

namespace cocoon::oci {
namespace {

class DefaultSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cocoon-oci-default-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "rootfs");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The config.json text `runc spec [--rootless]` writes in dir_, or "" when
  // runc is not installed.
  std::string RuncSpec(bool rootless) {
    if (::access("/usr/bin/runc", X_OK) != 0 && ::access("/usr/sbin/runc", X_OK) != 0) return "";
    std::filesystem::remove(dir_ / "config.json");
    std::string cmd = "cd '" + dir_.string() + "' && runc spec" + (rootless ? " --rootless" : "");
    if (std::system(cmd.c_str()) != 0) return "";
    auto text = ReadFile(dir_ / "config.json");
    return text ? *text : "";
  }

  std::filesystem::path dir_;
};

TEST_F(DefaultSpecTest, MatchesRuncSpec) {
  std::string runc = RuncSpec(false);
  if (runc.empty()) GTEST_SKIP() << "runc is not installed";
  // Same document, same key order (runc indents with tabs).
  EXPECT_EQ(DefaultSpec(false).dump(1, '\t'), runc);
}

TEST_F(DefaultSpecTest, RootlessMatchesRuncSpecRootless) {
  std::string runc = RuncSpec(true);
  if (runc.empty()) GTEST_SKIP() << "runc is not installed";
  EXPECT_EQ(DefaultSpec(true).dump(1, '\t'), runc);
}

TEST_F(DefaultSpecTest, RootlessMapsTheCallerAndDropsTheNetworkNamespace) {
  auto spec = DefaultSpec(true);
  EXPECT_EQ(spec["linux"]["uidMappings"][0]["hostID"], ::geteuid());
  EXPECT_EQ(spec["linux"]["gidMappings"][0]["hostID"], ::getegid());
  EXPECT_EQ(spec["linux"]["uidMappings"][0]["size"], 1);
  for (const auto& ns : spec["linux"]["namespaces"]) EXPECT_NE(ns["type"], "network");
  EXPECT_EQ(spec["linux"]["namespaces"].back()["type"], "user");
  EXPECT_FALSE(spec["linux"].contains("resources"));
  EXPECT_EQ(spec["mounts"][5]["type"], "none");
}

TEST_F(DefaultSpecTest, ParsesAndValidates) {
  for (bool rootless : {false, true}) {
    auto spec = ParseSpec(DefaultSpec(rootless).dump());
    ASSERT_TRUE(spec) << spec.error().message();
    auto valid = ValidateSpec(*spec, dir_);
    EXPECT_TRUE(valid) << (valid ? "" : valid.error().message());
    EXPECT_TRUE(spec->process->terminal);
    EXPECT_EQ(spec->hostname, "runc");
  }
}

}  // namespace
}  // namespace cocoon::oci
