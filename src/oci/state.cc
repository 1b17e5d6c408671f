// State JSON through the same field tables as config.json.
#include "oci/state.h"

#include "oci/json_codec.h"

namespace cocoon::oci {

template <>
struct Schema<State> {
  static constexpr auto kFields = std::tuple{
      Field{"ociVersion", &State::oci_version}, Field{"id", &State::id},
      Field{"status", &State::status},          Field{"pid", &State::pid},
      Field{"bundle", &State::bundle},          Field{"annotations", &State::annotations}};
};

nlohmann::json StateToJson(const State& state) {
  Json json = Encode(state);
  // The spec makes pid optional: it is absent while no container process exists.
  if (state.pid == 0) json.erase("pid");
  return json;
}

Result<State> ParseState(std::string_view json, std::string_view source) {
  return DecodeText<State>(json, source);
}

}  // namespace cocoon::oci
