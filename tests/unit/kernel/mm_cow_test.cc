// Copy-on-write after fork: what each address space sees, what the platform
// mirrors, and when memory-file pages are copied and freed.
#include <sys/mman.h>

#include <cstring>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/mm/memory_manager.h"

namespace cocoon::kernel {
namespace {

// A platform context that only keeps the page mappings, so tests can act as
// guest code does: load and store through the mapping, fault where it denies.
class FakeContext : public platform::Context {
 public:
  struct Page {
    uint64_t offset;
    int prot;
  };

  Result<> Map(uint64_t addr, uint64_t len, int prot, uint64_t offset) override {
    for (uint64_t at = 0; at < len; at += kPageSize) pages_[addr + at] = Page{offset + at, prot};
    ++maps;
    return {};
  }
  Result<> Unmap(uint64_t addr, uint64_t len) override {
    pages_.erase(pages_.lower_bound(addr), pages_.lower_bound(addr + len));
    return {};
  }
  Result<> Protect(uint64_t addr, uint64_t len, int prot) override {
    for (auto it = pages_.lower_bound(addr); it != pages_.end() && it->first < addr + len; ++it) {
      it->second.prot = prot;
    }
    ++protects;
    return {};
  }
  Result<platform::Stop> Switch(platform::Registers&) override { return std::unexpected(Errorf("fake")); }
  Result<> GetFpRegisters(platform::FpRegisters*) override { return std::unexpected(Errorf("fake")); }
  Result<> SetFpRegisters(const platform::FpRegisters&) override { return std::unexpected(Errorf("fake")); }
  void Interrupt() override {}

  const Page* Find(uint64_t addr) const {
    auto it = pages_.find(PageDown(addr));
    return it == pages_.end() ? nullptr : &it->second;
  }

  int maps = 0;
  int protects = 0;

 private:
  std::map<uint64_t, Page> pages_;
};

// One address space with its mirror, as a task has them.
struct Process {
  std::unique_ptr<MemoryManager> mm;
  std::unique_ptr<FakeContext> ctx = std::make_unique<FakeContext>();
};

class CowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = MemoryFile::Create(uint64_t{1} << 30);
    ASSERT_TRUE(file) << file.error().message();
    file_ = std::move(*file);
    parent_.mm = std::make_unique<MemoryManager>(*file_);
    ASSERT_TRUE(parent_.mm->Attach(parent_.ctx.get()));
  }

  Process Fork(Process& p) {
    Process child;
    child.mm = p.mm->Fork();
    EXPECT_NE(child.mm, nullptr);
    if (child.mm) {
      EXPECT_TRUE(child.mm->Attach(child.ctx.get()));
    }
    return child;
  }

  // A store by guest code: through the mirror, with faults handled the way
  // the task's run loop does (one retry after a resolved fault).
  bool GuestWrite(Process& p, uint64_t addr, char c) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const FakeContext::Page* page = p.ctx->Find(addr);
      if (!page) return false;  // SEGV_MAPERR
      if (page->prot & PROT_WRITE) {
        *file_->Data(page->offset + addr % kPageSize) = c;
        return true;
      }
      if (!p.mm->HandleFault(addr)) return false;  // SIGSEGV for the guest
    }
    return false;
  }
  // A load by guest code, through the mirror.
  char GuestRead(Process& p, uint64_t addr) {
    const FakeContext::Page* page = p.ctx->Find(addr);
    EXPECT_NE(page, nullptr);
    return page ? *file_->Data(page->offset + addr % kPageSize) : 0;
  }
  // A load through the kernel's copy-in path.
  char KernelRead(Process& p, uint64_t addr) {
    char c = 0;
    EXPECT_EQ(p.mm->CopyIn(addr, &c, 1), 0);
    return c;
  }
  uint64_t Offset(Process& p, uint64_t addr) { return p.mm->FileOffsetOf(addr).value_or(~uint64_t{0}); }

  uint64_t MapPrivate(uint64_t len, int prot = PROT_READ | PROT_WRITE) {
    int64_t addr = parent_.mm->Mmap(0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS);
    EXPECT_GT(addr, 0);
    return static_cast<uint64_t>(addr);
  }
  void Fill(Process& p, uint64_t addr, uint64_t len, char c) {
    std::vector<char> bytes(len, c);
    ASSERT_EQ(p.mm->CopyOut(addr, bytes.data(), len), 0);
  }

  std::unique_ptr<MemoryFile> file_;
  Process parent_;
};

TEST_F(CowTest, ForkMapsPrivatePagesReadOnlyOnBothSides) {
  uint64_t addr = MapPrivate(2 * kPageSize);
  Fill(parent_, addr, 2 * kPageSize, 'a');
  Process child = Fork(parent_);
  for (Process* p : {&parent_, &child}) {
    ASSERT_NE(p->ctx->Find(addr), nullptr);
    EXPECT_EQ(p->ctx->Find(addr)->prot, PROT_READ);
    EXPECT_EQ(p->ctx->Find(addr + kPageSize)->prot, PROT_READ);
  }
  EXPECT_EQ(Offset(parent_, addr), Offset(child, addr));  // shared, not copied
}

TEST_F(CowTest, GuestWritesStayOnTheirSide) {
  uint64_t addr = MapPrivate(kPageSize);
  Fill(parent_, addr, kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  EXPECT_EQ(GuestRead(child, addr), 'c');
  EXPECT_EQ(GuestRead(parent_, addr), 'a');
  EXPECT_EQ(KernelRead(parent_, addr), 'a');
  EXPECT_NE(Offset(child, addr), Offset(parent_, addr));  // the child took a copy
  EXPECT_EQ(GuestRead(child, addr + 1), 'a');             // of the whole page
  ASSERT_TRUE(GuestWrite(parent_, addr, 'p'));
  EXPECT_EQ(GuestRead(parent_, addr), 'p');
  EXPECT_EQ(GuestRead(child, addr), 'c');
  EXPECT_EQ(KernelRead(child, addr), 'c');
}

TEST_F(CowTest, LastOwnerWritesWithoutCopying) {
  uint64_t addr = MapPrivate(4 * kPageSize);
  Fill(parent_, addr, 4 * kPageSize, 'a');
  uint64_t before = Offset(parent_, addr);
  {
    Process child = Fork(parent_);
    ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  }  // the child exits
  // The child copied its page and left: the parent still shared nothing and
  // gets write access to the whole VMA back on its first fault.
  ASSERT_TRUE(GuestWrite(parent_, addr + kPageSize, 'p'));
  EXPECT_EQ(Offset(parent_, addr), before);
  EXPECT_EQ(parent_.ctx->Find(addr + 3 * kPageSize)->prot, PROT_READ | PROT_WRITE);
  EXPECT_EQ(parent_.mm->vmas().size(), 1u);
  EXPECT_FALSE(parent_.mm->vmas().begin()->second.cow);
}

TEST_F(CowTest, SecondWriterTakesThePageTheFirstCopied) {
  uint64_t addr = MapPrivate(kPageSize);
  Fill(parent_, addr, kPageSize, 'a');
  uint64_t before = Offset(parent_, addr);
  Process child = Fork(parent_);
  ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  int maps = parent_.ctx->maps;
  ASSERT_TRUE(GuestWrite(parent_, addr, 'p'));  // the count is back to 1
  EXPECT_EQ(Offset(parent_, addr), before);
  EXPECT_EQ(parent_.ctx->maps, maps);  // a protection change, no new page
  EXPECT_EQ(GuestRead(child, addr), 'c');
}

TEST_F(CowTest, KernelCopyOutBreaksCow) {
  uint64_t addr = MapPrivate(2 * kPageSize);
  Fill(parent_, addr, 2 * kPageSize, 'a');
  Process child = Fork(parent_);
  // As read() into a buffer straddling two shared pages would.
  const char data[] = "from a pipe";
  uint64_t at = addr + kPageSize - 4;
  ASSERT_EQ(child.mm->CopyOut(at, data, sizeof(data)), 0);
  char back[sizeof(data)] = {};
  ASSERT_EQ(child.mm->CopyIn(at, back, sizeof(back)), 0);
  EXPECT_STREQ(back, data);
  EXPECT_EQ(GuestRead(child, at), 'f');                  // the mirror follows the copy
  EXPECT_EQ(GuestRead(child, at + 4), ' ');
  EXPECT_EQ(GuestRead(parent_, at), 'a');
  EXPECT_EQ(KernelRead(parent_, at + 4), 'a');
  EXPECT_NE(Offset(child, addr), Offset(parent_, addr));
  EXPECT_EQ(child.ctx->Find(addr)->prot, PROT_READ | PROT_WRITE);
}

TEST_F(CowTest, ForcedCopyOutIntoReadOnlyPageBreaksCow) {
  uint64_t addr = MapPrivate(kPageSize, PROT_READ);
  char a = 'a';
  ASSERT_EQ(parent_.mm->CopyOut(addr, &a, 1, /*force=*/true), 0);
  Process child = Fork(parent_);
  char c = 'c';
  ASSERT_EQ(child.mm->CopyOut(addr, &c, 1, /*force=*/true), 0);  // ptrace-like poke
  EXPECT_EQ(KernelRead(parent_, addr), 'a');
  EXPECT_EQ(KernelRead(child, addr), 'c');
  EXPECT_EQ(child.ctx->Find(addr)->prot, PROT_READ);  // still read-only for the guest
}

TEST_F(CowTest, RealProtectionFaultsStayFaults) {
  uint64_t ro = MapPrivate(kPageSize, PROT_READ);
  uint64_t rw = MapPrivate(kPageSize);
  Process child = Fork(parent_);
  EXPECT_FALSE(GuestWrite(child, ro, 'x'));  // the guest gets SIGSEGV
  EXPECT_FALSE(child.mm->HandleFault(0x1000));
  EXPECT_TRUE(GuestWrite(child, rw, 'x'));
  EXPECT_FALSE(child.mm->HandleFault(rw));  // not copy-on-write any more
}

TEST_F(CowTest, MunmapInOneSideLeavesTheOtherIntact) {
  uint64_t addr = MapPrivate(3 * kPageSize);
  Fill(parent_, addr, 3 * kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_EQ(child.mm->Munmap(addr, 3 * kPageSize), 0);
  EXPECT_EQ(child.ctx->Find(addr), nullptr);
  EXPECT_EQ(GuestRead(parent_, addr + kPageSize), 'a');
  uint64_t before = Offset(parent_, addr);
  ASSERT_TRUE(GuestWrite(parent_, addr, 'p'));
  EXPECT_EQ(Offset(parent_, addr), before);  // nobody else maps it: no copy
  EXPECT_EQ(GuestRead(parent_, addr + 2 * kPageSize), 'a');
}

TEST_F(CowTest, PagesAreFreedWhenBothSidesAreGone) {
  uint64_t addr = MapPrivate(4 * kPageSize);
  Fill(parent_, addr, 4 * kPageSize, 'a');
  const uint64_t base = file_->CommittedBytes();
  EXPECT_GE(base, 4 * kPageSize);
  {
    Process child = Fork(parent_);
    ASSERT_TRUE(GuestWrite(child, addr, 'c'));
    EXPECT_EQ(file_->CommittedBytes(), base + kPageSize);  // one copied page
    ASSERT_EQ(parent_.mm->Munmap(addr, 4 * kPageSize), 0);
    // The parent's first page had no other user (the child copied it) and is
    // freed; the child still maps the other three and its copy.
    EXPECT_EQ(file_->CommittedBytes(), base);
    EXPECT_EQ(KernelRead(child, addr + kPageSize), 'a');
  }
  EXPECT_EQ(file_->CommittedBytes(), 0u);
}

TEST_F(CowTest, ExitedProcessesGiveTheirCopiesBack) {
  uint64_t addr = MapPrivate(8 * kPageSize);
  Fill(parent_, addr, 8 * kPageSize, 'a');
  const uint64_t base = file_->CommittedBytes();
  for (int i = 0; i < 50; ++i) {
    Process child = Fork(parent_);
    for (uint64_t at = addr; at < addr + 8 * kPageSize; at += kPageSize) {
      ASSERT_TRUE(GuestWrite(child, at, static_cast<char>('A' + i % 26)));
    }
    EXPECT_EQ(child.mm->vmas().size(), 1u);  // the copies merged back into one VMA
  }
  EXPECT_EQ(file_->CommittedBytes(), base);
  EXPECT_EQ(GuestRead(parent_, addr + 5 * kPageSize), 'a');
  parent_.mm.reset();
  EXPECT_EQ(file_->CommittedBytes(), 0u);
}

TEST_F(CowTest, MadviseDontneedZeroesOnlyThisSide) {
  uint64_t addr = MapPrivate(2 * kPageSize);
  Fill(parent_, addr, 2 * kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_EQ(child.mm->Madvise(addr, 2 * kPageSize, MADV_DONTNEED), 0);
  EXPECT_EQ(GuestRead(child, addr), 0);
  EXPECT_EQ(KernelRead(child, addr + kPageSize), 0);
  EXPECT_EQ(GuestRead(parent_, addr), 'a');
  ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  EXPECT_EQ(GuestRead(parent_, addr), 'a');
}

TEST_F(CowTest, MprotectKeepsSharedPagesReadOnly) {
  uint64_t addr = MapPrivate(kPageSize);
  Fill(parent_, addr, kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_EQ(child.mm->Mprotect(addr, kPageSize, PROT_READ), 0);
  ASSERT_EQ(child.mm->Mprotect(addr, kPageSize, PROT_READ | PROT_WRITE), 0);
  EXPECT_EQ(child.ctx->Find(addr)->prot, PROT_READ);
  ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  EXPECT_EQ(GuestRead(parent_, addr), 'a');
  // A page that was read-only at fork becomes copy-on-write once made writable.
  uint64_t ro = MapPrivate(kPageSize, PROT_READ);
  Process child2 = Fork(parent_);
  ASSERT_EQ(child2.mm->Mprotect(ro, kPageSize, PROT_READ | PROT_WRITE), 0);
  ASSERT_TRUE(GuestWrite(child2, ro, 'c'));
  EXPECT_EQ(GuestRead(parent_, ro), 0);
}

TEST_F(CowTest, BrkAfterForkDoesNotGrowIntoSharedSpace) {
  parent_.mm->SetBrkStart(0x600000);
  ASSERT_EQ(parent_.mm->Brk(0x600000 + kPageSize), 0x600000 + static_cast<int64_t>(kPageSize));
  Process child = Fork(parent_);
  const uint64_t grown = 0x600000 + 2 * kPageSize;
  ASSERT_EQ(parent_.mm->Brk(grown), static_cast<int64_t>(grown));
  ASSERT_EQ(child.mm->Brk(grown), static_cast<int64_t>(grown));
  ASSERT_TRUE(GuestWrite(parent_, grown - 1, 'p'));
  ASSERT_TRUE(GuestWrite(child, grown - 1, 'c'));
  EXPECT_EQ(GuestRead(parent_, grown - 1), 'p');
  EXPECT_NE(Offset(parent_, grown - 1), Offset(child, grown - 1));
}

TEST_F(CowTest, SharedMappingsStayShared) {
  int64_t addr = parent_.mm->Mmap(0, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
  ASSERT_GT(addr, 0);
  Process child = Fork(parent_);
  EXPECT_EQ(parent_.ctx->Find(addr)->prot, PROT_READ | PROT_WRITE);
  ASSERT_TRUE(GuestWrite(child, addr, 's'));
  EXPECT_EQ(GuestRead(parent_, addr), 's');
  EXPECT_EQ(Offset(parent_, addr), Offset(child, addr));
}

TEST_F(CowTest, MremapMovesAVmaSplitByCopies) {
  uint64_t addr = MapPrivate(3 * kPageSize);
  Fill(parent_, addr, 3 * kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_TRUE(GuestWrite(child, addr + kPageSize, 'c'));  // splits the child's VMA in three
  ASSERT_TRUE(child.mm->Mmap(addr + 3 * kPageSize, kPageSize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) > 0);
  int64_t moved = child.mm->Mremap(addr, 3 * kPageSize, 6 * kPageSize, MREMAP_MAYMOVE, 0);
  ASSERT_GT(moved, 0);
  EXPECT_EQ(KernelRead(child, moved), 'a');
  EXPECT_EQ(KernelRead(child, moved + kPageSize), 'c');
  EXPECT_EQ(GuestRead(child, moved + 2 * kPageSize), 'a');
  EXPECT_EQ(GuestRead(parent_, addr + kPageSize), 'a');
}

TEST_F(CowTest, ForkOfAForkKeepsThreeViews) {
  uint64_t addr = MapPrivate(kPageSize);
  Fill(parent_, addr, kPageSize, 'a');
  Process child = Fork(parent_);
  ASSERT_TRUE(GuestWrite(child, addr, 'c'));
  Process grandchild = Fork(child);
  ASSERT_TRUE(GuestWrite(grandchild, addr, 'g'));
  ASSERT_TRUE(GuestWrite(child, addr + 1, 'C'));
  EXPECT_EQ(GuestRead(parent_, addr), 'a');
  EXPECT_EQ(GuestRead(child, addr), 'c');
  EXPECT_EQ(GuestRead(grandchild, addr), 'g');
  EXPECT_EQ(GuestRead(grandchild, addr + 1), 'a');
  EXPECT_EQ(GuestRead(parent_, addr + 1), 'a');
}

}  // namespace
}  // namespace cocoon::kernel
