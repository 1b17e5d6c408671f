// lifecycle_bench: times the lifecycle of a busybox /bin/true container
// (run; create, start, delete; exec) under cocoon, crun and runc, prints
// medians, p90s, peak RSS and ratios, and writes them as JSON.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>

#include "base/file.h"
#include "bench/driver.h"

namespace cocoon::bench {
namespace {

// Exit statuses; 77 is what ctest's SKIP_RETURN_CODE expects.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitSkipped = 77;
constexpr int kExitInterrupted = 130;

const std::map<std::string, MountNsMode> kMountNsModes = {{"driver", MountNsMode::kDriver},
                                                          {"each", MountNsMode::kPerCommand},
                                                          {"crun", MountNsMode::kCrunOnly},
                                                          {"none", MountNsMode::kNone}};

void OnStopSignal(int) { RequestStop(); }

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns at once
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &action, nullptr);
}

Result<> WriteJson(const std::string& path, const BenchReport& report) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  TRY(MakeDirs(dir.empty() ? "." : dir));
  return WriteFileAtomic(path, ToJson(report).dump(2) + "\n", 0644);
}

// Whether every requested runtime was found and measured in full.
bool AllMeasured(const BenchReport& report) {
  for (const RuntimeResult& runtime : report.runtimes)
    if (runtime.status != "ok") return false;
  return true;
}

bool AnyMeasured(const BenchReport& report) {
  for (const RuntimeResult& runtime : report.runtimes)
    if (runtime.status == "ok" || runtime.status == "partial") return true;
  return false;
}

int Main(int argc, char** argv) {
  DriverOptions options;
  options.cocoon_binary = COCOON_DEFAULT_BINARY;
  std::string output = COCOON_DEFAULT_OUTPUT;
  std::string mount_ns = "driver";
  int timeout_s = 60;
  bool strict = false;

  CLI::App app{
      "Cocoon lifecycle benchmark: run, create, start, delete and exec of a busybox "
      "/bin/true container under cocoon, crun and runc"};
  app.add_option("-n,--iterations", options.iterations, "timed rounds per runtime")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", options.warmup, "untimed rounds first")->check(CLI::NonNegativeNumber);
  app.add_option("--runtimes", options.runtimes, "runtimes to compare, each NAME or NAME=PATH")
      ->delimiter(',');
  app.add_option("--cocoon", options.cocoon_binary, "the cocoon binary")->capture_default_str();
  app.add_option("--busybox", options.busybox, "busybox-static to put in the rootfs")
      ->capture_default_str();
  app.add_option("-o,--output", output, "JSON results file")->capture_default_str();
  app.add_option("--mount-ns", mount_ns,
                 "private mount ns (hybrid cgroup2 hidden): driver (one for all), each (per "
                 "command), crun (crun only), none")
      ->check(CLI::IsMember({"driver", "each", "crun", "none"}))
      ->capture_default_str();
  app.add_option("--timeout", timeout_s, "seconds before a runtime command is killed")
      ->check(CLI::PositiveNumber);
  app.add_flag("--strict", strict, "exit 1 unless every runtime was found and measured in full");
  CLI11_PARSE(app, argc, argv);
  options.mount_ns = kMountNsModes.at(mount_ns);
  options.timeout = std::chrono::seconds(timeout_s);

  if (::geteuid() != 0) {
    fmt::print(stderr, "lifecycle_bench: skipped: container runtimes need root\n");
    return kExitSkipped;
  }
  InstallStopHandlers();

  LifecycleBench bench(options);
  if (auto setup = bench.Setup(); !setup) {
    fmt::print(stderr, "lifecycle_bench: {}\n", setup.error().message());
    return kExitFailed;
  }
  if (!bench.AnyRuntimeFound()) {
    bench.Cleanup();
    fmt::print("{}", FormatTable(bench.report()));
    fmt::print(stderr, "lifecycle_bench: skipped: none of the runtimes is installed\n");
    return kExitSkipped;
  }
  bench.Measure();
  bench.Cleanup();
  const BenchReport& report = bench.report();
  fmt::print("{}", FormatTable(report));
  if (report.interrupted) {
    fmt::print(stderr, "lifecycle_bench: interrupted; {} left as it was\n", output);
    return kExitInterrupted;
  }
  if (auto written = WriteJson(output, report); !written) {
    fmt::print(stderr, "lifecycle_bench: {}\n", written.error().message());
    return kExitFailed;
  }
  fmt::print("results: {}\n", output);
  if (!AnyMeasured(report)) return kExitFailed;
  return strict && !AllMeasured(report) ? kExitFailed : kExitOk;
}

}  // namespace
}  // namespace cocoon::bench

int main(int argc, char** argv) { return cocoon::bench::Main(argc, argv); }
