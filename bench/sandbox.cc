// sandbox_bench: the cost of the ptrace sandbox per operation. A static guest
// program (guest/syscall_bench.c) times getpid, open/read/close of a small
// file and fork+exec+wait from the inside, once natively and once in a
// sandbox (`cocoon --platform=ptrace do`), for several rounds taken in turns;
// the table gives medians and the sandbox/native ratio. `run` of /bin/true
// in the sandbox against crun is lifecycle_bench's cocoon-ptrace row.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "bench/report.h"
#include "bench/spawn.h"

namespace cocoon::bench {
namespace {

struct Operation {
  std::string name;
  long count;       // repetitions inside one guest run
  double target_us;  // the target for the sandbox, 0 if none
};

struct Options {
  std::string cocoon = COCOON_DEFAULT_BINARY;
  std::string guest = COCOON_SYSCALL_BENCH;
  std::string output = COCOON_DEFAULT_OUTPUT;
  int rounds = 7;
};

// The floor under the ptrace platform's getpid on this machine: a bare
// PTRACE_SYSEMU round trip (resume, stop, GETREGS, SETREGS) with tracer and
// tracee pinned to one CPU, as the platform pins them. No kernel at all.
Result<double> BarePtraceRoundTripNs(int count) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
  cpu_set_t old;
  sched_getaffinity(0, sizeof old, &old);
  sched_setaffinity(0, sizeof one, &one);
  pid_t child = ::fork();
  if (child == 0) {
    ::ptrace(PTRACE_TRACEME, 0, 0, 0);
    ::raise(SIGSTOP);
    for (;;) ::syscall(SYS_getpid);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
  user_regs_struct regs{};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    ::ptrace(PTRACE_SYSEMU, child, 0, 0);
    ::waitpid(child, &status, __WALL);
    ::ptrace(PTRACE_GETREGS, child, 0, &regs);
    regs.rax = static_cast<uint64_t>(child);
    ::ptrace(PTRACE_SETREGS, child, 0, &regs);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::kill(child, SIGKILL);
  ::waitpid(child, &status, 0);
  sched_setaffinity(0, sizeof old, &old);
  if (!WIFSTOPPED(status) && !WIFSIGNALED(status)) return std::unexpected(MakeError("ptrace floor: tracee lost"));
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) / count;
}

// One guest run: the ns per operation it printed.
Result<double> RunOnce(const std::vector<std::string>& argv, const std::string& scratch) {
  UniqueFd out = TRY(OpenFile(scratch + "/out", O_RDWR | O_CREAT | O_TRUNC, 0600));
  UniqueFd err = TRY(OpenFile(scratch + "/err", O_RDWR | O_CREAT | O_TRUNC, 0600));
  SpawnOptions spawn;
  spawn.argv = argv;
  spawn.stdout_fd = out.get();
  spawn.stderr_fd = err.get();
  spawn.timeout = std::chrono::minutes(5);
  SpawnOutcome outcome = TRY(Spawn(spawn));
  std::string text = ReadFile(scratch + "/out").value_or("");
  if (outcome.exit_code != 0 || outcome.timed_out || text.empty()) {
    return std::unexpected(Errorf("{} exited {}: {}", fmt::join(argv, " "), outcome.exit_code,
                                  ReadFile(scratch + "/err").value_or("")));
  }
  return std::stod(text);
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"Cocoon sandbox benchmark: guest operations natively and in the ptrace sandbox"};
  app.add_option("--cocoon", o.cocoon, "the cocoon binary")->capture_default_str();
  app.add_option("--guest", o.guest, "the static syscall_bench program")->capture_default_str();
  app.add_option("-n,--rounds", o.rounds, "guest runs per operation and side")->check(CLI::PositiveNumber);
  app.add_option("-o,--output", o.output, "JSON results file")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (::geteuid() != 0) {
    fmt::print(stderr, "sandbox_bench: skipped: a sandbox needs root\n");
    return 77;
  }
  char tmpl[] = "/tmp/cocoon-sandbox-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  std::string scratch = tmpl;
  std::string state = scratch + "/state";
  std::string file = scratch + "/small";
  (void)WriteFile(file, "a small file of a few bytes\n", O_CREAT | O_TRUNC, 0644);

  const std::vector<Operation> ops = {
      {"getpid", 20000, 5.0}, {"open-read-close", 5000, 0}, {"fork-exec-wait", 50, 0}};
  nlohmann::json results = nlohmann::json::array();
  std::vector<double> floor_ns;
  for (int round = 0; round < o.rounds; ++round) {
    if (auto floor = BarePtraceRoundTripNs(20000)) floor_ns.push_back(*floor);
  }
  double floor_us = floor_ns.empty() ? 0 : Median(floor_ns) / 1000;
  fmt::print("bare PTRACE_SYSEMU round trip on this machine (pinned, no kernel): {:.3f} us\n", floor_us);
  fmt::print("{:<18} {:>14} {:>14} {:>8} {:>10}\n", "operation", "native (us)", "sandbox (us)", "ratio", "target");
  int failures = 0;
  for (const Operation& op : ops) {
    std::vector<std::string> guest{o.guest, op.name, std::to_string(op.count), file};
    std::vector<std::string> sandboxed{o.cocoon, "--root", state, "--platform=ptrace", "do"};
    sandboxed.insert(sandboxed.end(), guest.begin(), guest.end());
    std::vector<double> native_ns, sandbox_ns;
    std::string error;
    for (int round = 0; round < o.rounds && error.empty(); ++round) {
      auto n = RunOnce(guest, scratch);
      auto s = RunOnce(sandboxed, scratch);
      if (!n || !s) error = (!n ? n.error() : s.error()).message();
      if (n) native_ns.push_back(*n);
      if (s) sandbox_ns.push_back(*s);
    }
    if (!error.empty()) {
      ++failures;
      fmt::print("{:<18} failed: {}\n", op.name, error);
      results.push_back({{"operation", op.name}, {"error", error}});
      continue;
    }
    double native = Median(native_ns) / 1000, sandbox = Median(sandbox_ns) / 1000;
    std::string target = op.target_us > 0 ? fmt::format("<= {:.0f} us", op.target_us) : "";
    fmt::print("{:<18} {:>14.3f} {:>14.3f} {:>7.1f}x {:>10}\n", op.name, native, sandbox, sandbox / native, target);
    results.push_back({{"operation", op.name}, {"count_per_run", op.count}, {"native_us_median", native},
                       {"sandbox_us_median", sandbox}, {"ratio", sandbox / native},
                       {"native_ns", native_ns}, {"sandbox_ns", sandbox_ns},
                       {"target_us", op.target_us > 0 ? nlohmann::json(op.target_us) : nlohmann::json()}});
  }
  ::unlink(file.c_str());
  ::unlink((scratch + "/out").c_str());
  ::unlink((scratch + "/err").c_str());
  ::rmdir(state.c_str());
  ::rmdir(scratch.c_str());
  (void)MakeDirs(o.output.substr(0, o.output.rfind('/')));
  nlohmann::json doc = {{"benchmark", "sandbox"}, {"rounds", o.rounds}, {"results", results},
                        {"bare_ptrace_round_trip_us_median", floor_us}, {"bare_ptrace_round_trip_ns", floor_ns}};
  if (auto written = WriteFileAtomic(o.output, doc.dump(2) + "\n", 0644); !written) {
    fmt::print(stderr, "sandbox_bench: {}\n", written.error().message());
    return 1;
  }
  fmt::print("results: {}\n", o.output);
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace cocoon::bench

int main(int argc, char** argv) { return cocoon::bench::Main(argc, argv); }
