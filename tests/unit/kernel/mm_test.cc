// The memory manager: VMAs, brk, the mmap family and checked guest copies.
#include <sys/mman.h>

#include <cstring>

#include <gtest/gtest.h>

#include "kernel/mm/memory_manager.h"

namespace cocoon::kernel {
namespace {

class MmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = MemoryFile::Create(uint64_t{1} << 30);
    ASSERT_TRUE(file) << file.error().message();
    file_ = std::move(*file);
    mm_ = std::make_unique<MemoryManager>(*file_);
  }
  int64_t MapAnon(uint64_t len, int prot = PROT_READ | PROT_WRITE, uint64_t addr = 0, int flags = 0) {
    return mm_->Mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags);
  }

  std::unique_ptr<MemoryFile> file_;
  std::unique_ptr<MemoryManager> mm_;
};

TEST_F(MmTest, MmapThenCopyRoundTrips) {
  int64_t addr = MapAnon(3 * kPageSize);
  ASSERT_GT(addr, 0);
  const char msg[] = "across a page boundary";
  uint64_t at = addr + kPageSize - 5;
  ASSERT_EQ(mm_->CopyOut(at, msg, sizeof(msg)), 0);
  char back[sizeof(msg)];
  ASSERT_EQ(mm_->CopyIn(at, back, sizeof(back)), 0);
  EXPECT_STREQ(back, msg);
  std::string s;
  EXPECT_EQ(mm_->CopyInString(at, 100, &s), static_cast<int64_t>(strlen(msg)));
  EXPECT_EQ(s, msg);
  EXPECT_EQ(mm_->CopyInString(at, 3, &s), -ENAMETOOLONG);
}

TEST_F(MmTest, BadPointersGiveEfault) {
  char buf[16] = {};
  EXPECT_EQ(mm_->CopyIn(0, buf, 1), -EFAULT);
  EXPECT_EQ(mm_->CopyOut(0x12345000, buf, 1), -EFAULT);
  EXPECT_EQ(mm_->CopyIn(~uint64_t{0} - 4, buf, 16), -EFAULT);
  int64_t addr = MapAnon(kPageSize, PROT_READ);
  ASSERT_GT(addr, 0);
  EXPECT_EQ(mm_->CopyOut(addr, buf, 1), -EFAULT);  // read-only
  EXPECT_EQ(mm_->CopyIn(addr + kPageSize - 8, buf, 16), -EFAULT);  // runs off the end
  EXPECT_EQ(mm_->CopyOut(addr, buf, 1, /*force=*/true), 0);
}

TEST_F(MmTest, MunmapSplitsAndMprotectChecksCoverage) {
  int64_t addr = MapAnon(3 * kPageSize);
  ASSERT_GT(addr, 0);
  ASSERT_EQ(mm_->Munmap(addr + kPageSize, kPageSize), 0);
  EXPECT_EQ(mm_->vmas().size(), 2u);
  char c = 'x';
  EXPECT_EQ(mm_->CopyOut(addr + kPageSize, &c, 1), -EFAULT);
  EXPECT_EQ(mm_->CopyOut(addr + 2 * kPageSize, &c, 1), 0);
  EXPECT_EQ(mm_->Mprotect(addr, 3 * kPageSize, PROT_READ), -ENOMEM);
  EXPECT_EQ(mm_->Mprotect(addr, kPageSize, PROT_READ), 0);
  EXPECT_EQ(mm_->CopyOut(addr, &c, 1), -EFAULT);
  EXPECT_EQ(mm_->Munmap(addr + 1, kPageSize), -EINVAL);
}

TEST_F(MmTest, FixedMappingsReplaceOrRefuse) {
  int64_t addr = MapAnon(2 * kPageSize);
  ASSERT_GT(addr, 0);
  EXPECT_EQ(MapAnon(kPageSize, PROT_READ, addr, MAP_FIXED_NOREPLACE), -EEXIST);
  EXPECT_EQ(MapAnon(kPageSize, PROT_READ, addr, MAP_FIXED), addr);
  EXPECT_EQ(MapAnon(kPageSize, PROT_READ, addr + 1, MAP_FIXED), -EINVAL);
  EXPECT_EQ(MapAnon(0), -EINVAL);
  EXPECT_EQ(mm_->Mmap(0, kPageSize, PROT_READ, MAP_ANONYMOUS), -EINVAL);  // neither private nor shared
}

TEST_F(MmTest, BrkGrowsAndShrinks) {
  mm_->SetBrkStart(0x600000);
  EXPECT_EQ(mm_->Brk(0), 0x600000);
  EXPECT_EQ(mm_->Brk(0x600000 + 10000), 0x600000 + 10000);
  EXPECT_EQ(mm_->Brk(0x600000 + 3 * kPageSize + 1), static_cast<int64_t>(0x600000 + 3 * kPageSize + 1));
  EXPECT_EQ(mm_->vmas().size(), 1u);  // grew in place
  uint64_t last = 0x600000 + 3 * kPageSize;
  char c = 'y';
  EXPECT_EQ(mm_->CopyOut(last, &c, 1), 0);
  EXPECT_EQ(mm_->Brk(0x600000 + kPageSize), 0x600000 + kPageSize);
  EXPECT_EQ(mm_->CopyOut(last, &c, 1), -EFAULT);
}

TEST_F(MmTest, ForkCopiesPrivateAndSharesShared) {
  int64_t priv = MapAnon(kPageSize);
  int64_t shared = mm_->Mmap(0, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
  ASSERT_GT(priv, 0);
  ASSERT_GT(shared, 0);
  int v = 1;
  ASSERT_EQ(mm_->CopyOut(priv, &v, sizeof(v)), 0);
  ASSERT_EQ(mm_->CopyOut(shared, &v, sizeof(v)), 0);
  auto child = mm_->Fork();
  ASSERT_NE(child, nullptr);
  v = 2;
  ASSERT_EQ(child->CopyOut(priv, &v, sizeof(v)), 0);
  ASSERT_EQ(child->CopyOut(shared, &v, sizeof(v)), 0);
  int got = 0;
  ASSERT_EQ(mm_->CopyIn(priv, &got, sizeof(got)), 0);
  EXPECT_EQ(got, 1);
  ASSERT_EQ(mm_->CopyIn(shared, &got, sizeof(got)), 0);
  EXPECT_EQ(got, 2);
}

TEST_F(MmTest, MadviseDontneedZeroesPrivateMemory) {
  int64_t addr = MapAnon(kPageSize);
  int v = 7;
  ASSERT_EQ(mm_->CopyOut(addr, &v, sizeof(v)), 0);
  ASSERT_EQ(mm_->Madvise(addr, kPageSize, MADV_DONTNEED), 0);
  ASSERT_EQ(mm_->CopyIn(addr, &v, sizeof(v)), 0);
  EXPECT_EQ(v, 0);
}

TEST_F(MmTest, MremapGrowsKeepingData) {
  int64_t addr = MapAnon(kPageSize);
  int v = 9;
  ASSERT_EQ(mm_->CopyOut(addr, &v, sizeof(v)), 0);
  MapAnon(kPageSize, PROT_READ, addr + kPageSize, MAP_FIXED);  // block growth in place
  int64_t moved = mm_->Mremap(addr, kPageSize, 4 * kPageSize, MREMAP_MAYMOVE, 0);
  ASSERT_GT(moved, 0);
  EXPECT_NE(moved, addr);
  int got = 0;
  ASSERT_EQ(mm_->CopyIn(moved, &got, sizeof(got)), 0);
  EXPECT_EQ(got, 9);
  EXPECT_EQ(mm_->CopyIn(addr, &got, sizeof(got)), -EFAULT);
  EXPECT_EQ(mm_->Mremap(moved, 4 * kPageSize, 8 * kPageSize, 0, 0) > 0 ||
                mm_->Mremap(moved, 4 * kPageSize, 8 * kPageSize, 0, 0) == -ENOMEM,
            true);
}

}  // namespace
}  // namespace cocoon::kernel
