// The ELF loader refuses what it cannot load and lays out static programs.
#include <elf.h>
#include <sys/mman.h>

#include <cstring>

#include <gtest/gtest.h>

#include "base/file.h"
#include "kernel/loader/elf_loader.h"

namespace cocoon::kernel {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = MemoryFile::Create(uint64_t{1} << 30);
    ASSERT_TRUE(file);
    file_ = std::move(*file);
    mm_ = std::make_unique<MemoryManager>(*file_);
  }
  std::unique_ptr<MemoryFile> file_;
  std::unique_ptr<MemoryManager> mm_;
};

TEST_F(LoaderTest, RejectsWhatIsNotAnElf) {
  LoadedImage image;
  EXPECT_EQ(LoadElf(*mm_, "", &image), -ENOEXEC);
  EXPECT_EQ(LoadElf(*mm_, "#!/bin/sh\necho hi\n", &image), -ENOEXEC);
  std::string truncated(sizeof(Elf64_Ehdr), '\0');
  memcpy(truncated.data(), ELFMAG, SELFMAG);
  EXPECT_EQ(LoadElf(*mm_, truncated, &image), -ENOEXEC);
}

TEST_F(LoaderTest, RejectsSegmentsPointingOutsideTheFile) {
  std::string elf(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), '\0');
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = sizeof(eh);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_offset = 0;
  ph.p_vaddr = 0x400000;
  ph.p_filesz = 1 << 20;  // more than the file has
  ph.p_memsz = 1 << 20;
  memcpy(elf.data(), &eh, sizeof(eh));
  memcpy(elf.data() + sizeof(eh), &ph, sizeof(ph));
  LoadedImage image;
  EXPECT_EQ(LoadElf(*mm_, elf, &image), -ENOEXEC);
}

TEST_F(LoaderTest, LoadsAStaticBusyboxAndBuildsItsStack) {
  auto busybox = ReadFile("/bin/busybox");
  if (!busybox) GTEST_SKIP() << "no /bin/busybox (busybox-static)";
  LoadedImage image;
  ASSERT_EQ(LoadElf(*mm_, *busybox, &image), 0);
  EXPECT_GT(image.entry, 0u);
  EXPECT_EQ(image.phent, sizeof(Elf64_Phdr));
  EXPECT_GT(mm_->brk_start(), image.entry);
  int64_t sp = BuildInitialStack(*mm_, image, {"busybox", "echo", "hi"}, {"A=1"}, "/bin/busybox");
  ASSERT_GT(sp, 0);
  EXPECT_EQ(sp % 16, 0);
  uint64_t argc = 0, argv1 = 0;
  ASSERT_EQ(mm_->CopyIn(sp, &argc, sizeof(argc)), 0);
  EXPECT_EQ(argc, 3u);
  ASSERT_EQ(mm_->CopyIn(sp + 16, &argv1, sizeof(argv1)), 0);
  std::string arg;
  ASSERT_GT(mm_->CopyInString(argv1, 100, &arg), 0);
  EXPECT_EQ(arg, "echo");
}

TEST_F(LoaderTest, RefusesHugeArgumentLists) {
  LoadedImage image{.entry = 0x401000, .phdr = 0x400040, .phent = 56, .phnum = 1};
  std::vector<std::string> argv(1, std::string(3 << 20, 'a'));
  EXPECT_EQ(BuildInitialStack(*mm_, image, argv, {}, "/x"), -E2BIG);
}

}  // namespace
}  // namespace cocoon::kernel

namespace cocoon::kernel {
namespace {

TEST_F(LoaderTest, LoadsTheDynamicLoaderAsAnInterpreter) {
  auto ld = ReadFile("/lib64/ld-linux-x86-64.so.2");
  if (!ld) GTEST_SKIP() << "no /lib64/ld-linux-x86-64.so.2";
  LoadedImage image;
  ASSERT_EQ(LoadElf(*mm_, *ld, &image, kInterpBase, /*interpreter=*/true), 0);
  EXPECT_EQ(image.bias, kInterpBase);
  EXPECT_TRUE(image.interp.empty());
}

TEST_F(LoaderTest, ReportsTheInterpreterOfADynamicProgram) {
  auto program = ReadFile("/bin/true");
  if (!program) GTEST_SKIP() << "no /bin/true";
  LoadedImage image;
  ASSERT_EQ(LoadElf(*mm_, *program, &image), 0);
  EXPECT_EQ(image.interp, "/lib64/ld-linux-x86-64.so.2");
}

}  // namespace
}  // namespace cocoon::kernel
