// Choosing the platform of a new container: the annotation, else the flag.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/file.h"
#include "sandbox/lifecycle.h"

namespace cocoon::sandbox {
namespace {

class PlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cocoon-platform-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::unlink((dir_ + "/config.json").c_str());
    ::rmdir(dir_.c_str());
  }
  void WriteConfig(const std::string& text) { ASSERT_TRUE(WriteFile(dir_ + "/config.json", text, O_CREAT | O_TRUNC)); }
  std::string dir_;
};

TEST_F(PlatformTest, FlagDecidesWithoutAnAnnotation) {
  WriteConfig(R"({"ociVersion":"1.0.2"})");
  EXPECT_EQ(SelectPlatform("native", dir_).value(), "native");
  EXPECT_EQ(SelectPlatform("ptrace", dir_).value(), "ptrace");
}

TEST_F(PlatformTest, AnnotationWinsOverTheFlag) {
  WriteConfig(R"({"annotations":{"dev.cocoon.platform":"ptrace"}})");
  EXPECT_EQ(SelectPlatform("native", dir_).value(), "ptrace");
}

TEST_F(PlatformTest, UnknownPlatformNamesWhereItCameFrom) {
  WriteConfig(R"({"annotations":{"dev.cocoon.platform":"kvm9"}})");
  auto chosen = SelectPlatform("native", dir_);
  ASSERT_FALSE(chosen);
  EXPECT_NE(chosen.error().message().find("annotation dev.cocoon.platform"), std::string::npos);
  EXPECT_NE(chosen.error().message().find("kvm9"), std::string::npos);
  WriteConfig("{}");
  chosen = SelectPlatform("bogus", dir_);
  ASSERT_FALSE(chosen);
  EXPECT_NE(chosen.error().message().find("--platform"), std::string::npos);
}

TEST(Platform, OnlyNativeRunsOnTheHostKernel) {
  EXPECT_FALSE(IsSandboxed("native"));
  EXPECT_TRUE(IsSandboxed("ptrace"));
  EXPECT_TRUE(KnownPlatform("ptrace"));
  EXPECT_FALSE(KnownPlatform("systrap"));
}

}  // namespace
}  // namespace cocoon::sandbox
