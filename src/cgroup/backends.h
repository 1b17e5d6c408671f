// The three Manager backends. Internal to the cgroup module: callers use
// Manager::Create / Manager::Load, which pick one from the host's layout.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cgroup/manager.h"

namespace cocoon::cgroup {

// cgroup v1: one directory per mounted hierarchy.
class V1Manager final : public Manager {
 public:
  // `paths`: controller -> dir; `created`: controller -> top-most dir Apply made.
  explicit V1Manager(std::map<std::string, std::string> paths,
                     std::map<std::string, std::string> created = {})
      : paths_(std::move(paths)), created_(std::move(created)) {}
  static Result<std::unique_ptr<V1Manager>> FromJson(const nlohmann::json& saved);

  bool HasController(const std::string& controller) const { return paths_.contains(controller); }

  Layout layout() const override { return Layout::kV1; }
  nlohmann::json Save() const override;
  Result<> Apply(pid_t pid) override;
  void PlanCreation() override;
  Result<> Set(const oci::Resources& r) override;
  Result<> Freeze() override;
  Result<> Thaw() override;
  Result<bool> IsFrozen() const override;
  Result<std::vector<pid_t>> Pids() const override;
  Result<nlohmann::json> Stats() const override;
  Result<> Destroy() override;
  std::map<std::string, std::string> Paths() const override { return paths_; }
  Result<uint64_t> OomKillCount() const override;

 private:
  // The dir of `controller`, or an error saying `field` needs it.
  Result<std::string> Dir(const std::string& controller, std::string_view field) const;
  Result<> SetFreezerState(std::string_view state);
  Result<> EnsureCreated();

  std::map<std::string, std::string> paths_;
  std::map<std::string, std::string> created_;
};

// cgroup v2: one directory in the unified tree.
class V2Manager final : public Manager {
 public:
  V2Manager(std::string dir, std::string mount_point, std::string created = "")
      : dir_(std::move(dir)), mount_(std::move(mount_point)), created_(std::move(created)) {}
  static Result<std::unique_ptr<V2Manager>> FromJson(const nlohmann::json& saved);

  // Whether `controller` can be used in this cgroup (or, before it exists, in the tree).
  bool HasController(const std::string& controller) const;
  const std::string& dir() const { return dir_; }

  Layout layout() const override { return Layout::kV2; }
  nlohmann::json Save() const override;
  Result<> Apply(pid_t pid) override;
  void PlanCreation() override;
  Result<> Set(const oci::Resources& r) override;
  Result<> Freeze() override;
  Result<> Thaw() override;
  Result<bool> IsFrozen() const override;
  Result<std::vector<pid_t>> Pids() const override;
  Result<nlohmann::json> Stats() const override;
  Result<> Destroy() override;
  std::map<std::string, std::string> Paths() const override { return {{"", dir_}}; }
  Result<uint64_t> OomKillCount() const override;

 private:
  Result<> Require(const std::string& controller, std::string_view field) const;
  Result<> SetFrozen(bool frozen);
  Result<> EnsureCreated();

  std::string dir_;
  std::string mount_;
  std::string created_;
};

// Hybrid hosts: v1 hierarchies for most controllers, plus the v2 tree for the
// controllers only it has (hugetlb here) and for linux.resources.unified.
class HybridManager final : public Manager {
 public:
  HybridManager(std::unique_ptr<V1Manager> v1, std::unique_ptr<V2Manager> v2)
      : v1_(std::move(v1)), v2_(std::move(v2)) {}
  static Result<std::unique_ptr<HybridManager>> FromJson(const nlohmann::json& saved);

  Layout layout() const override { return Layout::kHybrid; }
  nlohmann::json Save() const override;
  Result<> Apply(pid_t pid) override;
  void PlanCreation() override {
    v1_->PlanCreation();
    v2_->PlanCreation();
  }
  Result<> Set(const oci::Resources& r) override;
  Result<> Freeze() override;
  Result<> Thaw() override;
  Result<bool> IsFrozen() const override;
  Result<std::vector<pid_t>> Pids() const override { return v1_->Pids(); }
  Result<nlohmann::json> Stats() const override;
  Result<> Destroy() override;
  std::map<std::string, std::string> Paths() const override;
  Result<uint64_t> OomKillCount() const override;

 private:
  // The freezer of the v1 side when mounted, else the v2 core freezer.
  Manager& FreezerSide() const;

  std::unique_ptr<V1Manager> v1_;
  std::unique_ptr<V2Manager> v2_;
};

// Polls `done` until it returns true or about ten seconds pass; for freezing,
// which the kernel completes asynchronously. `retry` runs between polls.
Result<> WaitFor(const std::string& what, const std::function<Result<bool>()>& done,
                 const std::function<Result<>(int attempt)>& retry);

}  // namespace cocoon::cgroup
