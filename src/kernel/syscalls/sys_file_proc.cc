// The kernel's side of /proc: what procfs shows about the sandbox's
// processes, read from the kernel's tables (callers hold the kernel lock:
// procfs is only read from syscall handlers).
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "kernel/fs/pipe.h"
#include "kernel/fs/proc.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"

namespace cocoon::kernel {

namespace {

thread_local Task* current_task = nullptr;
const auto kBootTime = std::chrono::steady_clock::now();

class KernelProcSource : public fs::ProcSource {
 public:
  vfs::ErrOr<int> SelfPid() override {
    if (!current_task) return vfs::Fail(ENOENT);
    return current_task->group().pid;
  }

  std::vector<int> Pids() override {
    std::vector<int> pids;
    if (!current_task) return pids;
    for (const auto& [pid, group] : current_task->kernel().processes()) pids.push_back(pid);
    return pids;
  }

  vfs::ErrOr<std::string> ProcessFile(int pid, std::string_view name) override {
    ThreadGroup* g = TRY(Group(pid));
    if (name == "stat") return Stat(*g);
    if (name == "status") return Status(*g);
    if (name == "cmdline") return g->zombie ? std::string() : g->cmdline;
    if (name == "environ") return g->zombie ? std::string() : g->environ;
    if (name == "comm") return g->name + "\n";
    if (name == "maps") return Maps(*g);
    return vfs::Fail(ENOENT);
  }

  vfs::ErrOr<std::string> ProcessLink(int pid, std::string_view name) override {
    if (name == "exe") {
      ThreadGroup* g = TRY(Group(pid));
      if (g->zombie || g->exe.empty()) return vfs::Fail(ENOENT);
      return g->exe;
    }
    VfsTaskFiles* files = TRY(FilesOf(pid));
    if (name == "cwd") return vfs::PathOf(files->fs().root(), files->fs().cwd());
    if (name == "root") return vfs::PathOf(files->fs().root(), files->fs().root());
    return vfs::Fail(ENOENT);
  }

  vfs::ErrOr<std::vector<int>> Fds(int pid) override {
    VfsTaskFiles* files = TRY(FilesOf(pid));
    return files->fds().Fds();
  }

  vfs::ErrOr<vfs::Ref<vfs::FileDescription>> FdFile(int pid, int fd) override {
    VfsTaskFiles* files = TRY(FilesOf(pid));
    vfs::Ref<vfs::FileDescription> file = files->fds().Get(fd);
    if (!file) return vfs::Fail(ENOENT);
    return file;
  }

  vfs::ErrOr<std::string> FdTarget(int pid, int fd) override {
    VfsTaskFiles* files = TRY(FilesOf(pid));
    vfs::Ref<vfs::FileDescription> file = files->fds().Get(fd);
    if (!file) return vfs::Fail(ENOENT);
    if (file->location()) return vfs::PathOf(files->fs().root(), file->location());
    auto st = file->GetStat();
    if (st && S_ISFIFO(st->mode)) return fmt::format("pipe:[{}]", st->ino);
    return fmt::format("anon_inode:[{}]", st ? st->ino : 0);
  }

  vfs::ErrOr<std::string> GlobalFile(std::string_view name) override {
    if (name == "uptime") {
      double up = std::chrono::duration<double>(std::chrono::steady_clock::now() - kBootTime).count();
      return fmt::format("{:.2f} {:.2f}\n", up, up);
    }
    if (name == "loadavg") {
      size_t n = Pids().size();
      int last = n ? Pids().back() : 0;
      return fmt::format("0.00 0.00 0.00 1/{} {}\n", n, last);
    }
    if (name == "meminfo") return MemInfo();
    if (name == "cpuinfo") return CpuInfo();
    if (name == "mounts") return Mounts();
    if (name == "filesystems") return std::string("nodev\ttmpfs\nnodev\tproc\nnodev\toverlay\n");
    if (name == "version") return std::string("Linux version 4.4.0 (cocoon) #1 SMP\n");
    return vfs::Fail(ENOENT);
  }

 private:
  vfs::ErrOr<ThreadGroup*> Group(int pid) {
    if (!current_task) return vfs::Fail(ENOENT);
    auto group = current_task->kernel().FindProcess(pid);
    if (!group) return vfs::Fail(ENOENT);
    return group.get();
  }

  vfs::ErrOr<VfsTaskFiles*> FilesOf(int pid) {
    ThreadGroup* g = TRY(Group(pid));
    if (g->tasks.empty()) return vfs::Fail(ENOENT);  // a zombie has no files
    VfsTaskFiles* files = VfsFiles(*g->tasks.front());
    if (!files) return vfs::Fail(ENOENT);
    return files;
  }

  static char State(const ThreadGroup& g) { return g.zombie ? 'Z' : g.stopped ? 'T' : 'S'; }
  static int ParentPid(const ThreadGroup& g) {
    auto parent = g.parent.lock();
    return parent ? parent->pid : 0;
  }

  // /proc/<pid>/stat: 52 fields, times and memory not accounted yet.
  // One line per VMA, in Linux's layout (anonymous memory has no device or inode).
  static std::string Maps(const ThreadGroup& g) {
    std::string out;
    if (g.zombie || g.tasks.empty()) return out;
    for (const auto& [start, vma] : g.tasks.front()->mm().vmas()) {
      std::string line = fmt::format("{:08x}-{:08x} {}{}{}{} {:08x} 00:00 0", vma.start, vma.end,
                                     (vma.prot & PROT_READ) ? 'r' : '-', (vma.prot & PROT_WRITE) ? 'w' : '-',
                                     (vma.prot & PROT_EXEC) ? 'x' : '-', vma.shared ? 's' : 'p', 0);
      if (!vma.name.empty()) line += std::string(line.size() < 73 ? 73 - line.size() : 1, ' ') + vma.name;
      out += line + "\n";
    }
    return out;
  }

  std::string Stat(const ThreadGroup& g) {
    std::string out = fmt::format("{} ({}) {} {} {} {} 0 -1 4194304", g.pid, g.name, State(g), ParentPid(g),
                                  g.pgid, g.sid);
    for (int i = 10; i <= 19; ++i) out += " 0";                       // faults, times, priority
    out += fmt::format(" 0 {} 0 0", std::max<size_t>(1, g.tasks.size()));  // nice, threads, itreal, start
    for (int i = 23; i <= 52; ++i) out += " 0";
    out += "\n";
    return out;
  }

  std::string Status(const ThreadGroup& g) {
    static constexpr const char* kStateNames[] = {"S (sleeping)", "T (stopped)", "Z (zombie)"};
    const char* state = g.zombie ? kStateNames[2] : g.stopped ? kStateNames[1] : kStateNames[0];
    return fmt::format(
        "Name:\t{}\nUmask:\t0022\nState:\t{}\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t0\n"
        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\nNSpid:\t{}\nNSpgid:\t{}\nNSsid:\t{}\n"
        "Threads:\t{}\nSigQ:\t0/0\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n",
        g.name, state, g.pid, g.pid, ParentPid(g), g.pid, g.pgid, g.sid, std::max<size_t>(1, g.tasks.size()));
  }

  static std::string MemInfo() {
    struct sysinfo info {};
    sysinfo(&info);
    uint64_t unit = info.mem_unit ? info.mem_unit : 1;
    uint64_t total_kb = info.totalram * unit / 1024, free_kb = info.freeram * unit / 1024;
    return fmt::format("MemTotal:       {:8} kB\nMemFree:        {:8} kB\nMemAvailable:   {:8} kB\n"
                       "Buffers:        {:8} kB\nCached:         {:8} kB\nSwapTotal:      {:8} kB\n"
                       "SwapFree:       {:8} kB\n",
                       total_kb, free_kb, free_kb, 0, 0, 0, 0);
  }

  static std::string CpuInfo() {
    std::string out;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < std::max(1L, cpus); ++i) {
      out += fmt::format("processor\t: {}\nvendor_id\t: GenuineIntel\nmodel name\t: cocoon virtual CPU\n"
                         "flags\t\t: fpu sse sse2\n\n",
                         i);
    }
    return out;
  }

  std::string Mounts() {
    if (!current_task) return {};
    VfsTaskFiles* files = VfsFiles(*current_task);
    if (!files) return {};
    std::string out;
    for (const auto& m : files->mounts().List()) {
      out += fmt::format("{} {} {} {} 0 0\n", m.type == "overlay" ? "overlay" : m.type, m.path, m.type, m.options);
    }
    return out;
  }
};

}  // namespace

void SetCurrentTaskForProc(Task& task) { current_task = &task; }

std::shared_ptr<fs::ProcSource> NewKernelProcSource() { return std::make_shared<KernelProcSource>(); }

}  // namespace cocoon::kernel
