// Tests for the state JSON: field names, omitted pid, parsing back.
#include "oci/state.h"

#include <gtest/gtest.h>

namespace cocoon::oci {
namespace {

TEST(StateTest, WritesTheRuntimeSpecFields) {
  State s{.oci_version = std::string(kOciVersion),
          .id = "c1",
          .status = std::string(kStatusRunning),
          .pid = 4242,
          .bundle = "/b",
          .annotations = {{"a", "b"}}};
  EXPECT_EQ(StateToJson(s), nlohmann::json::parse(R"({"ociVersion": "1.0.2-dev", "id": "c1",
      "status": "running", "pid": 4242, "bundle": "/b", "annotations": {"a": "b"}})"));
}

TEST(StateTest, OmitsPidWhenZeroAndEmptyAnnotations) {
  State s{.oci_version = "1.0.2", .id = "c1", .status = "stopped", .bundle = "/b"};
  EXPECT_EQ(StateToJson(s), nlohmann::json::parse(R"({"ociVersion": "1.0.2", "id": "c1",
      "status": "stopped", "bundle": "/b"})"));
}

TEST(StateTest, ParsesWhatItWrites) {
  State s{.oci_version = "1.0.2",
          .id = "x",
          .status = "created",
          .pid = 7,
          .bundle = "/b",
          .annotations = {{"k", "v"}}};
  auto parsed = ParseState(StateToJson(s).dump());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->id, "x");
  EXPECT_EQ(parsed->status, "created");
  EXPECT_EQ(parsed->pid, 7);
  EXPECT_EQ(parsed->bundle, "/b");
  EXPECT_EQ(parsed->annotations, s.annotations);
}

TEST(StateTest, ParseErrorsNameTheField) {
  auto bad = ParseState(R"({"id": "x", "pid": "7"})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "state: pid: expected an integer, got string");
  auto malformed = ParseState("{", "hook stdin");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message().rfind("hook stdin: malformed JSON at byte 2", 0), 0u);
}

}  // namespace
}  // namespace cocoon::oci
