// cocoon events [--stats] [--interval D] ID: resource stats and OOM events as
// JSON lines, as runc prints them; --stats prints one and exits.
#include <unistd.h>

#include <charconv>

#include "cgroup/manager.h"
#include "cli/command.h"
#include "container/status.h"

namespace cocoon::cli {
namespace {

// "5s", "100ms", "1m", "2h", or plain seconds.
Result<useconds_t> ParseInterval(const std::string& text) {
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000}};
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(ptr, text.data() + text.size());
  if (ec == std::errc() && value > 0) {
    if (unit.empty()) return static_cast<useconds_t>(value * 1e6);
    for (const auto& [name, micros] : kUnits)
      if (unit == name) return static_cast<useconds_t>(value * static_cast<double>(micros));
  }
  return std::unexpected(Errorf("--interval: invalid duration \"{}\"", text));
}

nlohmann::json Event(std::string_view type, const std::string& id, nlohmann::json data) {
  nlohmann::json event{{"type", type}, {"id", id}};
  if (!data.is_null()) event["data"] = std::move(data);
  return event;
}

}  // namespace

void RegisterEvents(Cli& cli) {
  struct Options {
    std::string id, interval = "5s";
    bool stats = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = cli.Add("events", "print container events and resource stats", [&cli, o]() -> Result<int> {
    useconds_t interval = TRY(ParseInterval(o->interval));
    container::Store store = cli.store();
    container::Record record;
    {
      container::Lock lock = TRY(store.LockExisting(o->id));
      record = TRY(store.Load(o->id));
    }
    auto cgroup = TRY(cgroup::Manager::Load(record.cgroup));
    if (o->stats) {
      PrintLine(Event("stats", o->id, TRY(cgroup->Stats())).dump());
      return 0;
    }
    uint64_t ooms = cgroup->OomKillCount().value_or(0);
    while (container::ComputeStatus(store, record) != container::Status::kStopped) {
      uint64_t now = cgroup->OomKillCount().value_or(ooms);
      if (now > ooms) PrintLine(Event("oom", o->id, nullptr).dump());
      ooms = now;
      if (auto stats = cgroup->Stats()) PrintLine(Event("stats", o->id, *stats).dump());
      ::usleep(interval);
    }
    return 0;
  });
  sub->add_option("id", o->id, "container id")->required();
  sub->add_flag("--stats", o->stats, "print one stats event and exit");
  sub->add_option("--interval", o->interval, "time between stats events (default 5s)");
}

}  // namespace cocoon::cli
