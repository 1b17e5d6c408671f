// Runs OCI lifecycle hooks: fork+exec with the hook's args and exactly its
// env, the state JSON on stdin, stdout/stderr shared with ours, a timeout.
#pragma once

#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::oci {

// Hook phases, named as in config.json.
inline constexpr std::string_view kPrestart = "prestart";
inline constexpr std::string_view kCreateRuntime = "createRuntime";
inline constexpr std::string_view kCreateContainer = "createContainer";
inline constexpr std::string_view kStartContainer = "startContainer";
inline constexpr std::string_view kPoststart = "poststart";
inline constexpr std::string_view kPoststop = "poststop";

// Runs one hook and waits for it. hook.args[0] is argv[0] (hook.path when
// args is empty); the environment is exactly hook.env; stdin reads
// `state_json`. With a timeout the hook's process group is killed when it
// runs longer. Errors: "hook /bin/x: exited with status 3", "...: killed by
// signal SIGSEGV", "...: timed out after 2s and was killed", "...: exec: ENOENT ...".
Result<> RunHook(const Hook& hook, std::string_view state_json);

// Runs the hooks of `phase` in order, following the runtime spec's failure
// rules: for prestart/createRuntime/createContainer/startContainer the first
// failure stops the rest and is returned ("prestart hook /bin/x: exited with
// status 3"); for poststart/poststop a failure is logged as a warning and the
// remaining hooks still run, and the call succeeds.
Result<> RunHooks(const std::vector<Hook>& hooks, std::string_view state_json,
                  std::string_view phase);

// Whether a failing hook of `phase` fails the operation (see RunHooks).
bool HookFailureIsFatal(std::string_view phase);

// The hooks of `phase` in `hooks`, or nullptr for an unknown phase name.
const std::vector<Hook>* HooksForPhase(const Hooks& hooks, std::string_view phase);

}  // namespace cocoon::oci
