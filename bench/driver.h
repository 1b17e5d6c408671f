// The lifecycle benchmark itself: checks each runtime once, then times
// run / create / start / delete / exec round by round, runtimes interleaved.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "bench/host.h"
#include "bench/report.h"
#include "bench/runtime.h"

namespace cocoon::bench {

// Where the private mount namespace (hybrid cgroup2 mount hidden, for crun)
// is made: once for the driver, whose runtime commands all inherit it (no
// per-command cost); per command, for every runtime or only for crun; never.
enum class MountNsMode { kDriver, kPerCommand, kCrunOnly, kNone };

struct DriverOptions {
  int iterations = 20;
  int warmup = 1;
  // Runtime names, each optionally "name=/path/to/binary".
  std::vector<std::string> runtimes = {"cocoon", "cocoon-ptrace", "crun", "runc"};
  std::string cocoon_binary;  // used for "cocoon" without "=path"
  std::string busybox = "/bin/busybox";
  MountNsMode mount_ns = MountNsMode::kDriver;
  std::chrono::milliseconds timeout{60'000};
};

class LifecycleBench {
 public:
  explicit LifecycleBench(DriverOptions options);
  LifecycleBench(const LifecycleBench&) = delete;
  LifecycleBench& operator=(const LifecycleBench&) = delete;
  ~LifecycleBench();  // cleans up whatever is left (containers, cgroups, files)

  // Makes the scratch directory and the root filesystem, finds the runtimes.
  Result<> Setup();
  // Checks each runtime, runs the warm-up and timed rounds, cleans up.
  // Stops early (report().interrupted) when RequestStop() was called.
  void Measure();
  // Deletes every container, our cgroups and the scratch directory; failures
  // become notes in the report.
  void Cleanup();

  const BenchReport& report() const { return report_; }
  // True when at least one runtime was found on this machine.
  bool AnyRuntimeFound() const;

 private:
  struct Subject {
    std::unique_ptr<Runtime> runtime;
    size_t result_index;  // into report_.runtimes
    std::string exec_id;  // the long-running container exec targets
  };

  RuntimeResult& ResultOf(const Subject& subject) { return report_.runtimes[subject.result_index]; }
  void AddRuntime(const std::string& spec);
  void AddNotes();
  bool Wrapped(const std::string& name) const;

  // Untimed checks that each verb does real work (exit statuses and states
  // a placeholder binary cannot fake); a failing check disables the phase.
  void Verify(Subject& subject);
  void Round(Subject& subject, const std::string& label, bool record);
  void MeasureWrapper(bool record);

  std::string ContainerId(const Subject& subject, std::string_view phase,
                          const std::string& label) const;
  Result<std::string> PrepareBundle(const std::string& id, std::vector<std::string> args);
  void RemoveBundle(const std::string& id);
  bool Active(Subject& subject, Phase phase);
  void Fail(Subject& subject, std::initializer_list<Phase> phases, const std::string& label,
            const Error& error);
  void Record(Subject& subject, Phase phase, const SpawnOutcome& outcome);
  void FinishStatuses();

  DriverOptions options_;
  BenchReport report_;
  CgroupLayout layout_;
  std::string scratch_;  // our temp directory; empty until made
  std::string rootfs_;
  std::vector<Subject> subjects_;
  bool cleaned_up_ = false;
};

}  // namespace cocoon::bench
