// cocoon exec [flags] ID COMMAND [ARGS...]: run another process in a running
// container; the exit status is the process's.
#include <charconv>

#include "base/file.h"
#include "cli/command.h"
#include "native/lifecycle.h"
#include "sandbox/lifecycle.h"
#include "oci/parse.h"

namespace cocoon::cli {
namespace {

struct ExecFlags {
  std::string id, process_file, cwd, user, console_socket, pid_file, apparmor, process_label;
  std::vector<std::string> env, caps, additional_gids;
  bool tty = false, detach = false, no_new_privs = false;
  int preserve_fds = 0;
};

Result<uint32_t> ParseId(std::string_view text, std::string_view what) {
  uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return std::unexpected(Errorf("--user: invalid {} \"{}\" (expected a number)", what, text));
  return value;
}

// runc's rules: --process replaces everything; otherwise start from the
// container's own process and apply the flags.
Result<oci::Process> BuildProcess(const ExecFlags& f, const std::vector<std::string>& args,
                                  const container::Record& record) {
  if (!f.process_file.empty()) {
    std::string text = TRY(ReadFile(f.process_file));
    return oci::ParseProcess(text, f.process_file);
  }
  if (args.empty()) return std::unexpected(MakeError("exec: no command given (usage: exec ID COMMAND [ARGS...])"));
  oci::Spec spec = TRY(oci::ParseSpec(record.spec.dump(), "recorded spec"));
  oci::Process p = *spec.process;
  p.args = args;
  p.terminal = f.tty;
  p.console_size.reset();
  p.env.insert(p.env.end(), f.env.begin(), f.env.end());
  if (!f.cwd.empty()) p.cwd = f.cwd;
  if (!f.user.empty()) {
    std::string_view user = f.user;
    size_t colon = user.find(':');
    p.user.uid = TRY(ParseId(user.substr(0, colon), "uid"));
    p.user.gid = colon == std::string_view::npos ? 0 : TRY(ParseId(user.substr(colon + 1), "gid"));
    p.user.additional_gids.clear();
  }
  for (const auto& gid : f.additional_gids) p.user.additional_gids.push_back(TRY(ParseId(gid, "additional gid")));
  if (!f.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted,
                      &p.capabilities->inheritable})
      set->insert(set->end(), f.caps.begin(), f.caps.end());
  }
  if (f.no_new_privs) p.no_new_privileges = true;
  if (!f.apparmor.empty()) p.apparmor_profile = f.apparmor;
  if (!f.process_label.empty()) p.selinux_label = f.process_label;
  return p;
}

Result<int> RunExec(const Cli& cli, const ExecFlags& f, const std::vector<std::string>& args) {
  container::Store store = cli.store();
  container::Record record;
  {
    container::Lock lock = TRY(store.LockExisting(f.id));
    record = TRY(store.Load(f.id));
  }
  native::ExecOptions options;
  options.process = TRY(BuildProcess(f, args, record));
  options.console_socket = f.console_socket;
  options.pid_file = f.pid_file.empty() ? "" : AbsolutePath(f.pid_file);
  options.detach = f.detach;
  options.preserve_fds = f.preserve_fds;
  if (sandbox::IsSandboxed(record.platform)) return sandbox::Exec(store, f.id, options);
  return native::Exec(store, f.id, options);
}

}  // namespace

void RegisterExec(Cli& cli) {
  auto f = std::make_shared<ExecFlags>();
  auto self = std::make_shared<CLI::App*>();
  CLI::App* sub = cli.Add("exec", "run a process in a running container",
                          [&cli, f, self]() { return RunExec(cli, *f, (*self)->remaining()); });
  *self = sub;
  sub->prefix_command();
  sub->add_option("id", f->id, "container id")->required();
  sub->add_option("-p,--process", f->process_file, "process.json to run instead of the arguments");
  sub->add_flag("-t,--tty", f->tty, "allocate a pty");
  sub->add_option("--console-socket", f->console_socket, "unix socket that receives the pty master");
  sub->add_option("--cwd", f->cwd, "working directory");
  sub->add_option("-e,--env", f->env, "extra environment variable NAME=VALUE")->allow_extra_args(false);
  sub->add_option("-u,--user", f->user, "UID[:GID]");
  sub->add_option("-g,--additional-gids", f->additional_gids, "extra group id")->allow_extra_args(false);
  sub->add_option("-c,--cap", f->caps, "extra capability")->allow_extra_args(false);
  sub->add_flag("-d,--detach", f->detach, "do not wait for the process");
  sub->add_option("--pid-file", f->pid_file, "write the process's pid to this file");
  sub->add_option("--preserve-fds", f->preserve_fds, "pass this many extra fds (from 3)");
  sub->add_flag("--no-new-privs", f->no_new_privs, "set no_new_privs");
  sub->add_option("--apparmor", f->apparmor, "AppArmor profile");
  sub->add_option("--process-label", f->process_label, "SELinux label");
}

}  // namespace cocoon::cli
