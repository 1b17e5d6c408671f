// Table-driven conversion between JSON and the typed OCI structs: each struct
// lists its fields once (JSON name -> member) in a Schema, and the same table
// drives decoding (with errors that name the JSON path) and encoding.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace cocoon::oci {

using Json = nlohmann::json;

// One JSON field of struct S: its runtime-spec name and the member it fills.
// S may be a base class of the struct being decoded (inherited fields).
template <typename S, typename M>
struct Field {
  const char* name;
  M S::*member;
};

// Specialize with `static constexpr auto kFields = std::tuple{Field{...}, ...};`.
template <typename T>
struct Schema;

template <typename T>
concept Described = requires { Schema<T>::kFields; };

// "a.b" / "a[3]" / "a[\"key\"]": the JSON path shown in errors.
std::string JoinPath(std::string_view path, std::string_view field);
std::string IndexPath(std::string_view path, size_t index);
std::string KeyPath(std::string_view path, std::string_view key);

// "<path>: <message>", or just the message at the document's root.
[[nodiscard]] Error PathError(std::string_view path, std::string_view message);
// "<path>: expected <expected>, got <what j is>".
[[nodiscard]] Error TypeError(std::string_view path, std::string_view expected, const Json& j);

// Parses JSON text; a syntax error names the byte offset.
Result<Json> ParseJsonText(std::string_view text);

// Decoding. null is treated as absent (as Go's encoding/json does), unknown
// fields are ignored (as runc does). All overloads are declared before any is
// defined so that they find each other for nested std:: containers.
Result<> Decode(const Json& j, const std::string& path, std::string& out);
Result<> Decode(const Json& j, const std::string& path, bool& out);
template <typename T>
  requires(std::integral<T> && !std::same_as<T, bool>)
Result<> Decode(const Json& j, const std::string& path, T& out);
template <typename T>
Result<> Decode(const Json& j, const std::string& path, std::optional<T>& out);
template <typename T>
Result<> Decode(const Json& j, const std::string& path, std::vector<T>& out);
template <typename V>
Result<> Decode(const Json& j, const std::string& path, std::map<std::string, V>& out);
template <Described T>
Result<> Decode(const Json& j, const std::string& path, T& out);

// Encoding: empty strings, containers and unset optionals are omitted, as the
// runtime spec's `omitempty` does; numbers and booleans are always written.
inline Json Encode(const std::string& v) { return v; }
inline Json Encode(bool v) { return v; }
template <typename T>
  requires(std::integral<T> && !std::same_as<T, bool>)
Json Encode(T v) {
  return v;
}
template <typename T>
Json Encode(const std::optional<T>& v);
template <typename T>
Json Encode(const std::vector<T>& v);
template <typename V>
Json Encode(const std::map<std::string, V>& v);
template <Described T>
Json Encode(const T& v);

// Whether a value is left out of the encoded object.
template <typename T>
bool Omitted(const T& v) {
  if constexpr (requires { v.empty(); })
    return v.empty();
  else if constexpr (requires { v.has_value(); })
    return !v.has_value();
  else
    return false;
}

// ---- definitions ----

template <typename T>
  requires(std::integral<T> && !std::same_as<T, bool>)
Result<> Decode(const Json& j, const std::string& path, T& out) {
  constexpr bool kUnsigned = std::is_unsigned_v<T>;
  constexpr std::string_view kExpected = kUnsigned ? "an unsigned integer" : "an integer";
  if (!j.is_number_integer() || (kUnsigned && !j.is_number_unsigned()))
    return std::unexpected(TypeError(path, kExpected, j));
  bool in_range;
  if (j.is_number_unsigned()) {
    auto v = j.get<uint64_t>();
    in_range = v <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    out = static_cast<T>(v);
  } else {
    auto v = j.get<int64_t>();
    in_range = v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
               v <= static_cast<int64_t>(std::numeric_limits<T>::max());
    out = static_cast<T>(v);
  }
  if (!in_range)
    return std::unexpected(PathError(
        path, fmt::format("expected {} of at most {} bits, got {}", kExpected, sizeof(T) * 8,
                          j.dump())));
  return {};
}

template <typename T>
Result<> Decode(const Json& j, const std::string& path, std::optional<T>& out) {
  T value{};
  TRY(Decode(j, path, value));
  out = std::move(value);
  return {};
}

template <typename T>
Result<> Decode(const Json& j, const std::string& path, std::vector<T>& out) {
  if (!j.is_array()) return std::unexpected(TypeError(path, "an array", j));
  out.clear();
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    T value{};
    if (!j[i].is_null()) TRY(Decode(j[i], IndexPath(path, i), value));
    out.push_back(std::move(value));
  }
  return {};
}

template <typename V>
Result<> Decode(const Json& j, const std::string& path, std::map<std::string, V>& out) {
  if (!j.is_object()) return std::unexpected(TypeError(path, "an object", j));
  out.clear();
  for (const auto& [key, item] : j.items()) {
    V value{};
    if (!item.is_null()) TRY(Decode(item, KeyPath(path, key), value));
    out.emplace(key, std::move(value));
  }
  return {};
}

template <Described T>
Result<> Decode(const Json& j, const std::string& path, T& out) {
  if (!j.is_object()) return std::unexpected(TypeError(path, "an object", j));
  Result<> result;
  auto decode_field = [&](const auto& field) {
    auto it = j.find(field.name);
    if (it == j.end() || it->is_null()) return true;
    result = Decode(*it, JoinPath(path, field.name), out.*field.member);
    return result.has_value();
  };
  std::apply([&](const auto&... fields) { (decode_field(fields) && ...); }, Schema<T>::kFields);
  return result;
}

template <typename T>
Json Encode(const std::optional<T>& v) {
  return v ? Encode(*v) : Json();
}

template <typename T>
Json Encode(const std::vector<T>& v) {
  Json out = Json::array();
  for (const auto& item : v) out.push_back(Encode(item));
  return out;
}

template <typename V>
Json Encode(const std::map<std::string, V>& v) {
  Json out = Json::object();
  for (const auto& [key, item] : v) out[key] = Encode(item);
  return out;
}

template <Described T>
Json Encode(const T& v) {
  Json out = Json::object();
  auto encode_field = [&](const auto& field) {
    const auto& member = v.*field.member;
    if (!Omitted(member)) out[field.name] = Encode(member);
  };
  std::apply([&](const auto&... fields) { (encode_field(fields), ...); }, Schema<T>::kFields);
  return out;
}

// Parses `text` into a T, with errors prefixed by `source`.
template <Described T>
Result<T> DecodeText(std::string_view text, std::string_view source) {
  auto json = ParseJsonText(text);
  if (!json) return std::unexpected(std::move(json).error().Wrap(source));
  T out{};
  auto decoded = Decode(*json, "", out);
  if (!decoded) return std::unexpected(std::move(decoded).error().Wrap(source));
  return out;
}

}  // namespace cocoon::oci
