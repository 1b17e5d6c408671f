// The initial process stack: strings at the top, then auxv, envp, argv, argc.
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/loader/elf_loader.h"

namespace cocoon::kernel {
namespace {

// Linux caps argv+envp at a quarter of the stack rlimit.
constexpr uint64_t kMaxArgBytes = kStackSize / 4;

class StackWriter {
 public:
  StackWriter(MemoryManager& mm, uint64_t top) : mm_(mm), sp_(top) {}
  // Pushes bytes and returns their guest address.
  uint64_t Push(const void* data, size_t len) {
    sp_ -= len;
    if (mm_.CopyOut(sp_, data, len, true) < 0) ok_ = false;
    return sp_;
  }
  uint64_t PushString(const std::string& s) { return Push(s.c_str(), s.size() + 1); }
  void Align(uint64_t to) { sp_ &= ~(to - 1); }
  uint64_t sp() const { return sp_; }
  bool ok() const { return ok_; }

 private:
  MemoryManager& mm_;
  uint64_t sp_;
  bool ok_ = true;
};

}  // namespace

int64_t BuildInitialStack(MemoryManager& mm, const LoadedImage& image, const std::vector<std::string>& argv,
                          const std::vector<std::string>& envp, const std::string& execfn, uint64_t interp_base) {
  uint64_t total = execfn.size() + 1;
  for (const auto& s : argv) total += s.size() + 1 + sizeof(uint64_t);
  for (const auto& s : envp) total += s.size() + 1 + sizeof(uint64_t);
  if (total > kMaxArgBytes) return -E2BIG;
  int64_t base = mm.Mmap(kStackTop - kStackSize, kStackSize, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, "[stack]");
  if (base < 0) return base;

  StackWriter w(mm, kStackTop);
  uint64_t execfn_addr = w.PushString(execfn);
  std::vector<uint64_t> env_addrs, arg_addrs;
  for (auto it = envp.rbegin(); it != envp.rend(); ++it) env_addrs.insert(env_addrs.begin(), w.PushString(*it));
  for (auto it = argv.rbegin(); it != argv.rend(); ++it) arg_addrs.insert(arg_addrs.begin(), w.PushString(*it));
  uint64_t platform_addr = w.PushString("x86_64");
  uint8_t random[16];
  getrandom(random, sizeof(random), 0);
  w.Align(16);
  uint64_t random_addr = w.Push(random, sizeof(random));

  std::vector<uint64_t> auxv = {
      AT_PHDR, image.phdr,       AT_PHENT, image.phent,           AT_PHNUM,    image.phnum,
      AT_PAGESZ, kPageSize,      AT_BASE, interp_base,                     AT_FLAGS,    0,
      AT_ENTRY, image.entry,     AT_UID, 0,                       AT_EUID,     0,
      AT_GID, 0,                 AT_EGID, 0,                      AT_SECURE,   0,
      AT_CLKTCK, static_cast<uint64_t>(sysconf(_SC_CLK_TCK)),     AT_HWCAP,    getauxval(AT_HWCAP),
      AT_HWCAP2, getauxval(AT_HWCAP2),                            AT_RANDOM,   random_addr,
      AT_PLATFORM, platform_addr, AT_EXECFN, execfn_addr,         AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ),
      AT_NULL, 0};
  // The words below: argc, argv..., NULL, envp..., NULL, auxv; rsp ends 16-byte aligned.
  size_t words = 1 + arg_addrs.size() + 1 + env_addrs.size() + 1 + auxv.size();
  w.Align(16);
  if (words % 2) w.Push("\0\0\0\0\0\0\0\0", 8);
  w.Push(auxv.data(), auxv.size() * sizeof(uint64_t));
  uint64_t zero = 0;
  w.Push(&zero, sizeof(zero));
  if (!env_addrs.empty()) w.Push(env_addrs.data(), env_addrs.size() * sizeof(uint64_t));
  w.Push(&zero, sizeof(zero));
  if (!arg_addrs.empty()) w.Push(arg_addrs.data(), arg_addrs.size() * sizeof(uint64_t));
  uint64_t argc = argv.size();
  w.Push(&argc, sizeof(argc));
  if (!w.ok()) return -EFAULT;
  return static_cast<int64_t>(w.sp());
}

}  // namespace cocoon::kernel
