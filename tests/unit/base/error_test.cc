// Tests for errors with context and the TRY macros.
#include "base/error.h"

#include <gtest/gtest.h>

namespace cocoon {
namespace {

Result<int> Fails() { return std::unexpected(ErrnoError("opening /x", ENOENT)); }
Result<int> Succeeds() { return 7; }
Result<> Void() { return {}; }

Result<int> Chain(bool fail) {
  int v = fail ? TRY_CTX(Fails(), "create") : TRY(Succeeds());
  TRY(Void());
  return v + 1;
}

TEST(ErrorTest, ErrnoErrorNamesTheErrno) {
  Error e = ErrnoError("opening /proc/self/ns/pid", EACCES);
  EXPECT_EQ(e.code(), EACCES);
  EXPECT_EQ(e.message(), "opening /proc/self/ns/pid: EACCES (Permission denied)");
}

TEST(ErrorTest, TryPropagatesWithContext) {
  auto ok = Chain(false);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 8);
  auto bad = Chain(true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ENOENT);
  EXPECT_EQ(bad.error().message(), "create: opening /x: ENOENT (No such file or directory)");
}

TEST(ErrorTest, WrapKeepsCode) {
  Error e = Errorf("bad {}", 1).Wrap("outer");
  EXPECT_EQ(e.code(), 0);
  EXPECT_EQ(e.message(), "outer: bad 1");
}

}  // namespace
}  // namespace cocoon
