// cocoon update [--resources FILE|-] [flags] ID: change a container's cgroup
// limits; the recorded spec follows so later reads see the new values.
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <optional>

#include "base/file.h"
#include "cgroup/manager.h"
#include "cli/command.h"
#include "container/status.h"
#include "oci/parse.h"

namespace cocoon::cli {
namespace {

// runc's RAMInBytes: a number with an optional b/k/m/g/t/p suffix (powers of 1024).
Result<int64_t> ParseBytes(std::string_view flag, const std::string& text) {
  if (text == "-1") return -1;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string unit(ptr, text.data() + text.size());
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.size() == 2 && unit[1] == 'b') unit.pop_back();
  static constexpr std::pair<std::string_view, int> kShifts[] = {{"", 0},   {"b", 0},   {"k", 10},
                                                                  {"m", 20}, {"g", 30}, {"t", 40}, {"p", 50}};
  if (ec == std::errc() && value >= 0)
    for (const auto& [name, shift] : kShifts)
      if (unit == name) return value << shift;
  return std::unexpected(Errorf("{}: invalid size \"{}\"", flag, text));
}

struct UpdateFlags {
  std::string id, resources_file;
  std::optional<std::string> memory, memory_swap, memory_reservation, kernel_memory, kernel_memory_tcp;
  std::optional<uint64_t> cpu_shares, cpu_period, cpu_rt_period;
  std::optional<int64_t> cpu_quota, cpu_rt_runtime, pids_limit;
  std::optional<uint16_t> blkio_weight;
  std::optional<std::string> cpuset_cpus, cpuset_mems;
};

Result<oci::Resources> BuildResources(const UpdateFlags& f) {
  oci::Resources r;
  if (!f.resources_file.empty()) {
    std::string text = f.resources_file == "-" ? TRY(ReadFd(STDIN_FILENO)) : TRY(ReadFile(f.resources_file));
    r = TRY(oci::ParseResources(text, f.resources_file == "-" ? "stdin" : f.resources_file));
  }
  auto memory = [&]() -> oci::MemoryResources& { return r.memory ? *r.memory : r.memory.emplace(); };
  auto cpu = [&]() -> oci::CpuResources& { return r.cpu ? *r.cpu : r.cpu.emplace(); };
  if (f.memory) memory().limit = TRY(ParseBytes("--memory", *f.memory));
  if (f.memory_swap) memory().swap = TRY(ParseBytes("--memory-swap", *f.memory_swap));
  if (f.memory_reservation) memory().reservation = TRY(ParseBytes("--memory-reservation", *f.memory_reservation));
  if (f.kernel_memory) memory().kernel = TRY(ParseBytes("--kernel-memory", *f.kernel_memory));
  if (f.kernel_memory_tcp) memory().kernel_tcp = TRY(ParseBytes("--kernel-memory-tcp", *f.kernel_memory_tcp));
  if (f.cpu_shares) cpu().shares = *f.cpu_shares;
  if (f.cpu_period) cpu().period = *f.cpu_period;
  if (f.cpu_quota) cpu().quota = *f.cpu_quota;
  if (f.cpu_rt_period) cpu().realtime_period = *f.cpu_rt_period;
  if (f.cpu_rt_runtime) cpu().realtime_runtime = *f.cpu_rt_runtime;
  if (f.cpuset_cpus) cpu().cpus = *f.cpuset_cpus;
  if (f.cpuset_mems) cpu().mems = *f.cpuset_mems;
  if (f.pids_limit) r.pids = oci::PidsResources{*f.pids_limit};
  if (f.blkio_weight) {
    if (!r.block_io) r.block_io.emplace();
    r.block_io->weight = *f.blkio_weight;
  }
  return r;
}

Result<int> Update(const Cli& cli, const UpdateFlags& f) {
  oci::Resources resources = TRY(BuildResources(f));
  container::Store store = cli.store();
  container::Lock lock = TRY(store.LockExisting(f.id));
  container::Record record = TRY(store.Load(f.id));
  if (container::ComputeStatus(store, record) == container::Status::kStopped)
    return std::unexpected(Errorf("container \"{}\" is not running", f.id));
  auto cgroup = TRY(cgroup::Manager::Load(record.cgroup));
  TRY(cgroup->Set(resources));
  record.spec["linux"]["resources"].merge_patch(oci::ResourcesToJson(resources));
  TRY(store.Save(record));
  return 0;
}

}  // namespace

void RegisterUpdate(Cli& cli) {
  auto f = std::make_shared<UpdateFlags>();
  auto* sub = cli.Add("update", "change the resource limits of a container", [&cli, f] { return Update(cli, *f); });
  sub->add_option("id", f->id, "container id")->required();
  sub->add_option("-r,--resources", f->resources_file, "linux.resources JSON file, or - for stdin");
  sub->add_option("--memory", f->memory, "memory limit (e.g. 64m)");
  sub->add_option("--memory-swap", f->memory_swap, "memory plus swap limit");
  sub->add_option("--memory-reservation", f->memory_reservation, "memory soft limit");
  sub->add_option("--kernel-memory", f->kernel_memory, "kernel memory limit (ignored by new kernels)");
  sub->add_option("--kernel-memory-tcp", f->kernel_memory_tcp, "kernel TCP buffer limit");
  sub->add_option("--cpu-share", f->cpu_shares, "CPU shares");
  sub->add_option("--cpu-period", f->cpu_period, "CFS period (us)");
  sub->add_option("--cpu-quota", f->cpu_quota, "CFS quota (us)");
  sub->add_option("--cpu-rt-period", f->cpu_rt_period, "realtime period (us)");
  sub->add_option("--cpu-rt-runtime", f->cpu_rt_runtime, "realtime runtime (us)");
  sub->add_option("--cpuset-cpus", f->cpuset_cpus, "CPUs to use (0-3,5)");
  sub->add_option("--cpuset-mems", f->cpuset_mems, "memory nodes to use");
  sub->add_option("--pids-limit", f->pids_limit, "maximum number of processes");
  sub->add_option("--blkio-weight", f->blkio_weight, "block IO weight (10-1000)");
}

}  // namespace cocoon::cli
