// Path formatting, type errors and JSON text parsing for the table-driven codec.
#include "oci/json_codec.h"

#include <fmt/format.h>

namespace cocoon::oci {
namespace {

// What a JSON value is, for "got ..." in errors: numbers show their value
// because "number" alone does not say why -1 or 1.5 is not an unsigned integer.
std::string Describe(const Json& j) {
  if (j.is_number()) return fmt::format("number {}", j.dump());
  return j.type_name();
}

}  // namespace

std::string JoinPath(std::string_view path, std::string_view field) {
  if (path.empty()) return std::string(field);
  return fmt::format("{}.{}", path, field);
}

std::string IndexPath(std::string_view path, size_t index) {
  return fmt::format("{}[{}]", path, index);
}

std::string KeyPath(std::string_view path, std::string_view key) {
  return fmt::format("{}[{}]", path, Json(std::string(key)).dump());
}

Error PathError(std::string_view path, std::string_view message) {
  if (path.empty()) return MakeError(std::string(message));
  return Errorf("{}: {}", path, message);
}

Error TypeError(std::string_view path, std::string_view expected, const Json& j) {
  return PathError(path, fmt::format("expected {}, got {}", expected, Describe(j)));
}

Result<> Decode(const Json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return std::unexpected(TypeError(path, "a string", j));
  out = j.get<std::string>();
  return {};
}

Result<> Decode(const Json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return std::unexpected(TypeError(path, "a boolean", j));
  out = j.get<bool>();
  return {};
}

Result<Json> ParseJsonText(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...":
    // keep the readable part after the exception tag.
    std::string_view what = e.what();
    if (auto tag_end = what.find("] "); tag_end != std::string_view::npos)
      what.remove_prefix(tag_end + 2);
    return std::unexpected(Errorf("malformed JSON at byte {}: {}", e.byte, what));
  }
}

}  // namespace cocoon::oci
