// The shape of a guest syscall handler and the guest-memory helpers handlers use;
// shared by the syscall table, dispatch and every sys_<family>.cc file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cocoon::kernel {

class Task;

// The raw arguments of one guest syscall, as the guest put them in registers.
struct SyscallArgs {
  uint64_t nr = 0;
  std::array<uint64_t, 6> a{};

  int Int(int i) const { return static_cast<int>(a[i]); }
  uint64_t U64(int i) const { return a[i]; }
  int64_t I64(int i) const { return static_cast<int64_t>(a[i]); }
  size_t Size(int i) const { return static_cast<size_t>(a[i]); }
};

// A handler returns the value the guest sees in rax: >= 0 for success, -errno
// for failure (plain Linux errnos; host-side errors never reach the guest).
// Handlers run on the task's own host thread with the kernel lock held (see
// kernel/sync/kernel_lock.h); anything that blocks must go through a WaitQueue.
using SyscallHandler = int64_t (*)(Task&, const SyscallArgs&);

// Returned by handlers that have set every register themselves (execve,
// rt_sigreturn): dispatch must then leave rax alone.
inline constexpr int64_t kRegistersSet = INT64_MIN;

// How --strace prints an argument.
enum class ArgKind : uint8_t {
  kNone,    // not an argument of this syscall
  kInt,     // signed decimal
  kHex,     // flags, addresses
  kFd,      // a file descriptor (decimal; AT_FDCWD by name)
  kPath,    // a NUL-terminated string in guest memory
  kPtr,     // a guest pointer (hex)
  kSize,    // unsigned decimal
  kOctal,   // modes
  kSignal,  // signal number, printed by name
};

// One row of the syscall table.
struct SyscallInfo {
  int nr;
  std::string_view name;
  SyscallHandler handler;  // nullptr: not implemented (ENOSYS, logged once)
  std::array<ArgKind, 6> args;
};

// Guest memory access for handlers. Every access is checked against the
// task's address space: a bad pointer gives -EFAULT, never a host fault.
// Each returns 0 (or a length) on success and a negative errno on failure.
int64_t CopyIn(Task& task, uint64_t addr, void* dst, size_t len);
int64_t CopyOut(Task& task, uint64_t addr, const void* src, size_t len);
// Reads a NUL-terminated string of at most `max_len` bytes (without the NUL):
// returns its length, -EFAULT, or -ENAMETOOLONG.
int64_t CopyInString(Task& task, uint64_t addr, size_t max_len, std::string* out);

template <typename T>
int64_t CopyInObj(Task& task, uint64_t addr, T* obj) {
  return CopyIn(task, addr, obj, sizeof(T));
}
template <typename T>
int64_t CopyOutObj(Task& task, uint64_t addr, const T& obj) {
  return CopyOut(task, addr, &obj, sizeof(T));
}

// Linux's limit for path arguments (PATH_MAX, including the NUL).
inline constexpr size_t kMaxPathLen = 4096;

}  // namespace cocoon::kernel
