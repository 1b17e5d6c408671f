// Small file-system helpers shared by the cgroup backends: writing control
// files with errors that name the file and value, parsing their formats.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace cocoon::cgroup {

// Writes `value` to `dir`/`file`; the error names both.
Result<> WriteControl(const std::string& dir, const std::string& file, std::string_view value);
// Reads `dir`/`file` with trailing whitespace removed.
Result<std::string> ReadControl(const std::string& dir, const std::string& file);
// Reads a file holding one number; "max" reads as UINT64_MAX.
Result<uint64_t> ReadUint(const std::string& dir, const std::string& file);
// As ReadUint, but a missing file gives nullopt rather than an error.
Result<std::optional<uint64_t>> ReadUintIfExists(const std::string& dir, const std::string& file);
bool ControlExists(const std::string& dir, const std::string& file);

// Parses "key value" lines (memory.stat, cpu.stat, memory.events); lines
// whose value is not a number are skipped.
std::map<std::string, uint64_t> ParseFlatKeyed(std::string_view text);
// Parses a number or "max" (UINT64_MAX); nullopt when malformed.
std::optional<uint64_t> ParseUint(std::string_view text);
// Parses space-separated numbers ("123 456 789").
std::vector<uint64_t> ParseUintList(std::string_view text);
// Parses a cpuset list ("0-3,5") into its members.
Result<std::vector<uint16_t>> ParseCpuList(std::string_view text);
std::string_view TrimSpace(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);

// mkdir -p for a cgroup directory. Returns the top-most directory this call
// created ("" when `path` already existed), so Destroy removes only what we made.
Result<std::string> MakeCgroupDirs(const std::string& path);
// The top-most dir MakeCgroupDirs(path) would create now ("" if path exists).
std::string TopMissingDir(const std::string& path);
// Removes `path`, its sub-cgroups first, and then each parent up to and
// including `top` (when non-empty) that has become empty. Retries EBUSY
// briefly, since a just-killed task may still be leaving the cgroup.
Result<> RemoveCgroupDirs(const std::string& path, const std::string& top);
// Every pid in `dir` and its sub-cgroups (cgroup.procs).
Result<std::vector<pid_t>> ReadPidsRecursive(const std::string& dir);

}  // namespace cocoon::cgroup
