// cocoon list: every container under --root, as a table, JSON or ids.
#include <algorithm>

#include "cli/command.h"
#include "container/status.h"

namespace cocoon::cli {
namespace {

struct ListOptions {
  std::string format = "table";
  bool quiet = false;
};

// Columns padded like Go's tabwriter with runc's settings (min width 12, pad 1).
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(12);
      widths[i] = std::max(widths[i], row[i].size() + 1);
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - row[i].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

Result<int> List(const Cli& cli, const ListOptions& o) {
  container::Store store = cli.store();
  auto states = nlohmann::ordered_json::array();
  for (const auto& id : TRY(store.List())) {
    auto lock = store.LockExisting(id);
    if (!lock) continue;  // deleted meanwhile
    auto record = store.Load(id);
    if (!record) continue;
    states.push_back(container::CliState(*record, container::ComputeStatus(store, *record)));
  }
  if (o.quiet) {
    for (const auto& s : states) PrintLine(s["id"].get<std::string>());
  } else if (o.format == "json") {
    PrintLine(states.empty() ? "null" : states.dump());
  } else {
    std::vector<std::vector<std::string>> rows{{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& s : states)
      rows.push_back({s["id"], std::to_string(s["pid"].get<int>()), s["status"], s["bundle"], s["created"],
                      s["owner"]});
    std::fputs(Table(rows).c_str(), stdout);
  }
  return 0;
}

}  // namespace

void RegisterList(Cli& cli) {
  auto options = std::make_shared<ListOptions>();
  auto* sub = cli.Add("list", "list containers", [&cli, options] { return List(cli, *options); });
  sub->alias("ls");
  sub->add_option("-f,--format", options->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  sub->add_flag("-q,--quiet", options->quiet, "print only the ids");
}

}  // namespace cocoon::cli
