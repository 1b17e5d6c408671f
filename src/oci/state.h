// The runtime spec's state JSON, as `state` prints it and hooks read it on stdin.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.h"

namespace cocoon::oci {

// The runtime-spec version Cocoon reports: what the installed `runc spec`
// (runc 1.1.5) writes, so tools that compare against runc see the same value
// and Debian's crun 1.8.1, which rejects 1.2.0 and newer, accepts our bundles.
inline constexpr std::string_view kOciVersion = "1.0.2-dev";

// Container statuses of the runtime spec (runc adds "paused").
inline constexpr std::string_view kStatusCreating = "creating";
inline constexpr std::string_view kStatusCreated = "created";
inline constexpr std::string_view kStatusRunning = "running";
inline constexpr std::string_view kStatusPaused = "paused";
inline constexpr std::string_view kStatusStopped = "stopped";

struct State {
  std::string oci_version;
  std::string id;
  std::string status;
  int pid = 0;  // 0: no process (creating or stopped); omitted from the JSON
  std::string bundle;
  std::map<std::string, std::string> annotations;
};

// {"ociVersion", "id", "status", "pid" (omitted when 0), "bundle",
// "annotations" (omitted when empty)}.
nlohmann::json StateToJson(const State& state);

// Parses state JSON (e.g. what a hook reads); errors name the JSON path.
Result<State> ParseState(std::string_view json, std::string_view source = "state");

}  // namespace cocoon::oci
