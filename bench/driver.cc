// Runs the lifecycle benchmark: per-runtime checks, interleaved timed rounds,
// and a clean-up that leaves no container, cgroup or file behind.
#include "bench/driver.h"

#include <fmt/ranges.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "bench/bundle.h"

namespace cocoon::bench {
namespace {

// Exit statuses the checks expect: a placeholder that exits 0 fails them.
constexpr int kRunCheckExit = 7;
constexpr int kExecCheckExit = 5;
constexpr std::chrono::milliseconds kStopTimeout{10'000};

std::string HostDescription() {
  ::utsname uts{};
  ::uname(&uts);
  return fmt::format("{} {} {}, {} CPUs", uts.sysname, uts.release, uts.machine,
                     ::sysconf(_SC_NPROCESSORS_ONLN));
}

std::string MountNsDescription(MountNsMode mode, const CgroupLayout& layout) {
  std::string hidden = layout.hybrid_v2_mounts.empty()
                           ? std::string("nothing unmounted (not a hybrid host)")
                           : fmt::format("{} unmounted", fmt::join(layout.hybrid_v2_mounts, ", "));
  switch (mode) {
    case MountNsMode::kDriver:
      return "driver and all runtimes in one private mount ns, " + hidden;
    case MountNsMode::kPerCommand:
      return "each runtime command in its own mount ns, " + hidden;
    case MountNsMode::kCrunOnly:
      return "only crun in a private mount ns (unfair!), " + hidden;
    case MountNsMode::kNone:
      return "host mount ns";
  }
  return "";
}

}  // namespace

LifecycleBench::LifecycleBench(DriverOptions options) : options_(std::move(options)) {
  report_.iterations = options_.iterations;
  report_.warmup = options_.warmup;
  report_.oci_version = kOciVersion;
  report_.host = HostDescription();
}

LifecycleBench::~LifecycleBench() { Cleanup(); }

bool LifecycleBench::Wrapped(const std::string& name) const {
  switch (options_.mount_ns) {
    case MountNsMode::kPerCommand:
      return true;
    case MountNsMode::kCrunOnly:
      return name == "crun";
    case MountNsMode::kDriver:
    case MountNsMode::kNone:
      return false;
  }
  return false;
}

Result<> LifecycleBench::Setup() {
  layout_ = TRY(DetectCgroupLayout());
  report_.cgroup_layout = layout_.kind;
  report_.mount_ns_mode = MountNsDescription(options_.mount_ns, layout_);
  if (options_.mount_ns == MountNsMode::kDriver)
    TRY_CTX(EnterPrivateMountNs(layout_.hybrid_v2_mounts), "making the benchmark's mount ns");

  std::string pattern = fmt::format("/tmp/cocoon-bench-{}-XXXXXX", ::getpid());
  if (!::mkdtemp(pattern.data())) return std::unexpected(ErrnoError("mkdtemp " + pattern));
  scratch_ = pattern;
  rootfs_ = scratch_ + "/rootfs";
  TRY_CTX(MakeBusyboxRootfs(rootfs_, options_.busybox), "building the busybox rootfs");
  for (const std::string& spec : options_.runtimes) AddRuntime(spec);
  AddNotes();
  return {};
}

void LifecycleBench::AddNotes() {
  std::vector<std::string>& notes = report_.notes;
  notes.push_back(fmt::format(
      "bundle: busybox-static rootfs, config.json with ociVersion {} (Debian's crun 1.8.1 rejects "
      "1.2.0 and newer), runc's default spec minus the network namespace, cgroupsPath "
      "/cocoon-bench-{}/<id>; stdin/stdout /dev/null, stderr to a scratch file read on failure",
      kOciVersion, ::getpid()));
  std::string hidden =
      layout_.hybrid_v2_mounts.empty()
          ? std::string("(nothing to unmount: not a hybrid host)")
          : fmt::format("with {} unmounted", fmt::join(layout_.hybrid_v2_mounts, ", "));
  switch (options_.mount_ns) {
    case MountNsMode::kDriver:
      notes.push_back(fmt::format(
          "mount ns: crun 1.8.1 refuses hybrid cgroups, so the driver itself does "
          "unshare(CLONE_NEWNS), makes / rslave and runs everything in that private mount ns {}; "
          "every runtime sees the same (v1-only) cgroups and pays nothing per command for it. "
          "The 'wrapper' row is the driver's own fork+exec+wait of busybox true, inside every "
          "time. (crun, not seeing the v2 mount, writes its 'unified' cgroup as plain files into "
          "the tmpfs under it; the driver removes them at the end.)",
          hidden));
      break;
    case MountNsMode::kPerCommand:
      notes.push_back(fmt::format(
          "mount ns: every runtime command is forked, unshare(CLONE_NEWNS), / made rslave, exec'd "
          "{}; the same for every runtime, and its cost (the 'wrapper' row: the same with "
          "busybox true) is inside every time",
          hidden));
      break;
    case MountNsMode::kCrunOnly:
      notes.push_back(
          "mount ns: only crun runs in a private mount ns (per command): crun's times "
          "include the 'wrapper' row's cost, the others' do not");
      break;
    case MountNsMode::kNone:
      notes.push_back("mount ns: runtimes run in the host mount ns (crun fails on hybrid hosts)");
      break;
  }
  notes.push_back(
      "time: wall clock from fork() to wait4() of one runtime command; 'start' returns once the "
      "container is told to run; 'delete' is timed after `state` says stopped (the polls are not "
      "timed); 'exec' runs /bin/true in a running `sleep` container");
  notes.push_back(
      "RSS: wait4's ru_maxrss for the runtime command, i.e. the peak RSS of the runtime process "
      "or of any descendant it reaped itself (a max, not a sum). For 'run' that includes the "
      "container process; for 'create' the container init left running is not counted. The "
      "pages a forked child copies from the driver count too (exec keeps the old high-water "
      "mark): the 'wrapper' row's RSS (busybox true plus that floor) bounds it, so read memory "
      "from a non-sanitizer build");
}

void LifecycleBench::AddRuntime(const std::string& spec) {
  size_t eq = spec.find('=');
  std::string name = spec.substr(0, eq);
  // cocoon-ptrace: the same binary, containers in its ptrace sandbox.
  bool sandboxed = name == "cocoon-ptrace";
  std::string wanted = eq != std::string::npos           ? spec.substr(eq + 1)
                       : name == "cocoon" || sandboxed ? options_.cocoon_binary
                                                       : name;
  RuntimeResult result;
  result.name = name;
  auto binary = FindExecutable(wanted);
  if (!binary) {
    result.status = "missing";
    result.error = binary.error().message();
    report_.runtimes.push_back(std::move(result));
    return;
  }
  result.binary = *binary;
  RuntimeConfig config;
  config.name = name;
  config.binary = *binary;
  if (sandboxed) config.global_args = {"--platform=ptrace"};
  config.root = fmt::format("{}/root-{}", scratch_, name);
  config.scratch = scratch_;
  config.private_mount_ns = Wrapped(name);
  if (config.private_mount_ns) config.unmount_in_child = layout_.hybrid_v2_mounts;
  config.timeout = options_.timeout;
  auto runtime = std::make_unique<Runtime>(std::move(config));
  result.version = runtime->Version().value_or("");
  for (Phase phase : kPhases) result.phases[phase];
  report_.runtimes.push_back(std::move(result));
  subjects_.push_back({std::move(runtime), report_.runtimes.size() - 1, ""});
}

bool LifecycleBench::AnyRuntimeFound() const { return !subjects_.empty(); }

std::string LifecycleBench::ContainerId(const Subject& subject, std::string_view phase,
                                        const std::string& label) const {
  return fmt::format("cb{}-{}-{}-{}", ::getpid(), subject.runtime->name(), phase, label);
}

Result<std::string> LifecycleBench::PrepareBundle(const std::string& id,
                                                  std::vector<std::string> args) {
  std::string bundle = fmt::format("{}/bundles/{}", scratch_, id);
  ContainerConfig config{std::move(args), rootfs_,
                         fmt::format("/cocoon-bench-{}/{}", ::getpid(), id)};
  TRY_CTX(WriteBundle(bundle, config), "writing the bundle of " + id);
  return bundle;
}

void LifecycleBench::RemoveBundle(const std::string& id) {
  (void)RemoveTree(fmt::format("{}/bundles/{}", scratch_, id));
}

bool LifecycleBench::Active(Subject& subject, Phase phase) {
  return ResultOf(subject).phases[phase].error.empty();
}

void LifecycleBench::Fail(Subject& subject, std::initializer_list<Phase> phases,
                          const std::string& label, const Error& error) {
  for (Phase phase : phases) {
    std::string& slot = ResultOf(subject).phases[phase].error;
    if (slot.empty()) slot = fmt::format("{}: {}", label, error.message());
  }
}

void LifecycleBench::Record(Subject& subject, Phase phase, const SpawnOutcome& outcome) {
  PhaseResult& result = ResultOf(subject).phases[phase];
  result.wall_ms.push_back(static_cast<double>(outcome.wall_ns) / 1e6);
  result.max_rss_kib.push_back(outcome.max_rss_kib);
  result.cpu_ms.push_back(static_cast<double>(outcome.cpu_ns) / 1e6);
}

void LifecycleBench::Verify(Subject& subject) {
  Runtime& rt = *subject.runtime;
  // run: the container's exit status must come back.
  std::string id = ContainerId(subject, "check-run", "0");
  auto run = [&]() -> Result<> {
    std::string bundle =
        TRY(PrepareBundle(id, {"/bin/sh", "-c", fmt::format("exit {}", kRunCheckExit)}));
    TRY(rt.Run(id, bundle, kRunCheckExit));
    return {};
  }();
  if (!run) Fail(subject, {Phase::kRun}, "check", run.error());
  RemoveBundle(id);

  // create/start/delete: states created -> stopped -> gone.
  id = ContainerId(subject, "check-life", "0");
  auto life = [&]() -> Result<> {
    std::string bundle = TRY(PrepareBundle(id, {"/bin/true"}));
    TRY(rt.Create(id, bundle));
    Runtime::State state = TRY(rt.QueryState(id));
    if (state.status != "created" || state.pid <= 0)
      return std::unexpected(
          Errorf("after create, state is \"{}\" with pid {}, expected "
                 "\"created\" with a pid",
                 state.status, state.pid));
    TRY(rt.Start(id));
    TRY(rt.WaitStopped(id, kStopTimeout));
    TRY(rt.Delete(id));
    if (rt.QueryState(id)) return std::unexpected(Errorf("{} still exists after delete", id));
    return {};
  }();
  if (!life) {
    Fail(subject, {Phase::kCreate, Phase::kStart, Phase::kDelete}, "check", life.error());
    (void)rt.ForceDelete(id);
  }
  RemoveBundle(id);

  // exec: a long-running container, and the exec'd process's exit status.
  subject.exec_id = ContainerId(subject, "exec", "sleep");
  auto exec = [&]() -> Result<> {
    std::string bundle = TRY(PrepareBundle(subject.exec_id, {"/bin/sleep", "3600"}));
    TRY(rt.Create(subject.exec_id, bundle));
    TRY(rt.Start(subject.exec_id));
    Runtime::State state = TRY(rt.QueryState(subject.exec_id));
    if (state.status != "running")
      return std::unexpected(
          Errorf("the sleep container is \"{}\", expected \"running\"", state.status));
    TRY(rt.Exec(subject.exec_id, {"/bin/sh", "-c", fmt::format("exit {}", kExecCheckExit)},
                kExecCheckExit));
    return {};
  }();
  if (!exec) Fail(subject, {Phase::kExec}, "check", exec.error());
}

void LifecycleBench::Round(Subject& subject, const std::string& label, bool record) {
  Runtime& rt = *subject.runtime;
  std::string where = record ? "iteration " + label : "warm-up " + label;
  if (Active(subject, Phase::kRun)) {
    std::string id = ContainerId(subject, "run", label);
    auto bundle = PrepareBundle(id, {"/bin/true"});
    auto outcome =
        bundle ? rt.Run(id, *bundle) : Result<SpawnOutcome>(std::unexpected(bundle.error()));
    if (!outcome) {
      Fail(subject, {Phase::kRun}, where, outcome.error());
      (void)rt.ForceDelete(id);
    } else if (record) {
      Record(subject, Phase::kRun, *outcome);
    }
    RemoveBundle(id);
  }
  if (Active(subject, Phase::kCreate) && Active(subject, Phase::kStart) &&
      Active(subject, Phase::kDelete)) {
    std::string id = ContainerId(subject, "life", label);
    auto life = [&]() -> Result<> {
      std::string bundle = TRY(PrepareBundle(id, {"/bin/true"}));
      SpawnOutcome create = TRY_CTX(rt.Create(id, bundle), "create");
      SpawnOutcome start = TRY_CTX(rt.Start(id), "start");
      TRY_CTX(rt.WaitStopped(id, kStopTimeout), "waiting for /bin/true to stop");
      SpawnOutcome del = TRY_CTX(rt.Delete(id), "delete");
      if (record) {
        Record(subject, Phase::kCreate, create);
        Record(subject, Phase::kStart, start);
        Record(subject, Phase::kDelete, del);
      }
      return {};
    }();
    if (!life) {
      Fail(subject, {Phase::kCreate, Phase::kStart, Phase::kDelete}, where, life.error());
      (void)rt.ForceDelete(id);
    }
    RemoveBundle(id);
  }
  if (Active(subject, Phase::kExec)) {
    auto outcome = rt.Exec(subject.exec_id, {"/bin/true"});
    if (!outcome) {
      Fail(subject, {Phase::kExec}, where, outcome.error());
    } else if (record) {
      Record(subject, Phase::kExec, *outcome);
    }
  }
}

void LifecycleBench::MeasureWrapper(bool record) {
  SpawnOptions options;
  // busybox-static's true: the smallest process we can spawn, so its RSS
  // shows the floor the driver's own pages (copied at fork) put under all.
  std::string program = rootfs_ + "/bin/busybox";
  options.argv = {program, "true"};
  options.private_mount_ns =
      options_.mount_ns == MountNsMode::kPerCommand || options_.mount_ns == MountNsMode::kCrunOnly;
  options.unmount_in_child = layout_.hybrid_v2_mounts;
  options.timeout = options_.timeout;
  auto outcome = Spawn(options);
  if (!outcome || outcome->exit_code != 0) {
    if (report_.wrapper.error.empty())
      report_.wrapper.error = outcome ? fmt::format("{} exited {}", program, outcome->exit_code)
                                      : outcome.error().message();
    return;
  }
  if (!record) return;
  report_.wrapper.wall_ms.push_back(static_cast<double>(outcome->wall_ns) / 1e6);
  report_.wrapper.max_rss_kib.push_back(outcome->max_rss_kib);
  report_.wrapper.cpu_ms.push_back(static_cast<double>(outcome->cpu_ns) / 1e6);
}

void LifecycleBench::Measure() {
  for (Subject& subject : subjects_) {
    if (StopRequested()) break;
    Verify(subject);
  }
  // Runtimes take turns within each round, so slow drifts of a shared machine
  // (other builds, page cache, thermal) hit all of them alike.
  for (int i = -options_.warmup; i < options_.iterations && !StopRequested(); ++i) {
    bool record = i >= 0;
    std::string label = record ? std::to_string(i) : fmt::format("w{}", -i);
    MeasureWrapper(record);
    for (Subject& subject : subjects_) {
      if (StopRequested()) break;
      Round(subject, label, record);
    }
  }
  report_.interrupted = StopRequested();
  FinishStatuses();
}

void LifecycleBench::FinishStatuses() {
  for (RuntimeResult& result : report_.runtimes) {
    if (result.status == "missing") continue;
    size_t measured = 0, failed = 0;
    for (const auto& [phase, phase_result] : result.phases) {
      if (!phase_result.wall_ms.empty()) ++measured;
      if (!phase_result.error.empty()) ++failed;
    }
    if (report_.interrupted && (measured == 0 || failed)) {
      result.status = "interrupted";
    } else {
      result.status = measured == 0 ? "failed" : failed ? "partial" : "ok";
      if (measured == 0) result.error = "no phase could be measured";
    }
  }
}

void LifecycleBench::Cleanup() {
  if (cleaned_up_) return;
  cleaned_up_ = true;
  for (Subject& subject : subjects_) {
    for (const Error& error : subject.runtime->Cleanup())
      report_.notes.push_back("cleanup: " + error.message());
  }
  subjects_.clear();
  std::string cgroup_parent = fmt::format("/cocoon-bench-{}", ::getpid());
  for (const Error& error : RemoveCgroupTree(layout_, cgroup_parent))
    report_.notes.push_back("cleanup: " + error.message());
  for (const Error& error : RemoveShadowedCgroupDirs(layout_, cgroup_parent))
    report_.notes.push_back("cleanup: " + error.message());
  if (!scratch_.empty()) {
    if (auto removed = RemoveTree(scratch_); !removed)
      report_.notes.push_back("cleanup: " + removed.error().message());
  }
}

}  // namespace cocoon::bench
