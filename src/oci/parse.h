// config.json <-> Spec: parsing with errors that name the JSON path, and the
// reverse conversion used to hand a parsed spec to the container init process.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::oci {

// Parses a runtime-spec config.json. Errors start with `source`, then the JSON
// path: "config.json: process.user.uid: expected an unsigned integer, got string".
// Malformed JSON names the byte offset. Unknown fields are ignored, as runc does.
Result<Spec> ParseSpec(std::string_view json, std::string_view source = "config.json");

// Reads and parses <bundle_dir>/config.json; errors name that path.
Result<Spec> LoadSpec(const std::string& bundle_dir);

// The spec as runtime-spec JSON; ParseSpec(SpecToJson(s).dump()) gives back s.
nlohmann::json SpecToJson(const Spec& spec);

// A lone process object, as `runc exec --process process.json` takes it.
Result<Process> ParseProcess(std::string_view json, std::string_view source = "process.json");
nlohmann::json ProcessToJson(const Process& process);

// A lone linux.resources object, as `runc update --resources` takes it.
Result<Resources> ParseResources(std::string_view json, std::string_view source = "resources");
nlohmann::json ResourcesToJson(const Resources& resources);

}  // namespace cocoon::oci
