// Tests for the intrusive reference counts.
#include "kernel/vfs/ref.h"

#include <gtest/gtest.h>

namespace cocoon::kernel::vfs {
namespace {

class Counted : public RefCounted {
 public:
  explicit Counted(int* destroyed) : destroyed_(destroyed) {}
  ~Counted() override { ++*destroyed_; }
  Ref<Counted> Self() { return Ref<Counted>(this); }

 private:
  int* destroyed_;
};

class Derived : public Counted {
 public:
  using Counted::Counted;
};

TEST(RefTest, LastReferenceDeletes) {
  int destroyed = 0;
  {
    Ref<Counted> a = MakeRef<Counted>(&destroyed);
    EXPECT_EQ(a->ref_count(), 1);
    Ref<Counted> b = a;
    EXPECT_EQ(a->ref_count(), 2);
    Ref<Counted> c = std::move(b);
    EXPECT_FALSE(b);
    EXPECT_EQ(a->ref_count(), 2);
    Ref<Counted> self = a->Self();
    EXPECT_EQ(a->ref_count(), 3);
  }
  EXPECT_EQ(destroyed, 1);
}

TEST(RefTest, UpcastAndDowncast) {
  int destroyed = 0;
  {
    Ref<Derived> d = MakeRef<Derived>(&destroyed);
    Ref<Counted> base = d;
    EXPECT_EQ(base->ref_count(), 2);
    Ref<Derived> back = RefCast<Derived>(base);
    EXPECT_EQ(back, d);
    Ref<Counted> moved = std::move(d);
    EXPECT_EQ(moved->ref_count(), 3);
  }
  EXPECT_EQ(destroyed, 1);
}

TEST(RefTest, AssignReleasesOld) {
  int destroyed = 0;
  Ref<Counted> a = MakeRef<Counted>(&destroyed);
  a = MakeRef<Counted>(&destroyed);
  EXPECT_EQ(destroyed, 1);
  a = nullptr;
  EXPECT_EQ(destroyed, 2);
}

}  // namespace
}  // namespace cocoon::kernel::vfs
