// Tests for container id rules.
#include "container/id.h"

#include <gtest/gtest.h>

namespace cocoon::container {
namespace {

TEST(IdTest, AcceptsRuncCharacters) {
  for (const char* id : {"a", "my-container_1", "x.y+z", "ABC123"}) EXPECT_TRUE(ValidateId(id)) << id;
}

TEST(IdTest, RejectsBadIds) {
  struct Case {
    std::string id;
    std::string error;
  };
  const Case cases[] = {
      {"", "invalid container id: the id is empty"},
      {".", "invalid container id \".\""},
      {"..", "invalid container id \"..\""},
      {"../x", "invalid container id \"../x\": character '/' is not allowed"},
      {"a/b", "invalid container id \"a/b\": character '/' is not allowed"},
      {std::string("a\nb"), "invalid container id: contains a control character"},
      {"a b", "invalid container id \"a b\": character ' ' is not allowed"},
      {std::string(kMaxIdLength + 1, 'a'), "invalid container id: longer than 1024 characters"},
  };
  for (const auto& c : cases) {
    auto result = ValidateId(c.id);
    ASSERT_FALSE(result) << c.id;
    EXPECT_EQ(result.error().message(), c.error);
  }
}

}  // namespace
}  // namespace cocoon::container
