// The runtime-spec JSON names of every field of spec.h, as Schema tables that
// drive both parsing and serialization (see json_codec.h).
#include "oci/parse.h"

#include <fmt/format.h>

#include "base/file.h"
#include "oci/json_codec.h"

namespace cocoon::oci {

template <>
struct Schema<Root> {
  static constexpr auto kFields =
      std::tuple{Field{"path", &Root::path}, Field{"readonly", &Root::readonly}};
};

template <>
struct Schema<Mount::IdMapping> {
  static constexpr auto kFields = std::tuple{Field{"containerID", &Mount::IdMapping::container_id},
                                             Field{"hostID", &Mount::IdMapping::host_id},
                                             Field{"size", &Mount::IdMapping::size}};
};

template <>
struct Schema<Mount> {
  static constexpr auto kFields = std::tuple{
      Field{"destination", &Mount::destination}, Field{"type", &Mount::type},
      Field{"source", &Mount::source},           Field{"options", &Mount::options},
      Field{"uidMappings", &Mount::uid_mappings}, Field{"gidMappings", &Mount::gid_mappings}};
};

template <>
struct Schema<User> {
  static constexpr auto kFields =
      std::tuple{Field{"uid", &User::uid}, Field{"gid", &User::gid}, Field{"umask", &User::umask},
                 Field{"additionalGids", &User::additional_gids},
                 Field{"username", &User::username}};
};

template <>
struct Schema<ConsoleSize> {
  static constexpr auto kFields =
      std::tuple{Field{"height", &ConsoleSize::height}, Field{"width", &ConsoleSize::width}};
};

template <>
struct Schema<Rlimit> {
  static constexpr auto kFields = std::tuple{
      Field{"type", &Rlimit::type}, Field{"hard", &Rlimit::hard}, Field{"soft", &Rlimit::soft}};
};

template <>
struct Schema<Capabilities> {
  static constexpr auto kFields = std::tuple{
      Field{"bounding", &Capabilities::bounding}, Field{"effective", &Capabilities::effective},
      Field{"inheritable", &Capabilities::inheritable},
      Field{"permitted", &Capabilities::permitted}, Field{"ambient", &Capabilities::ambient}};
};

template <>
struct Schema<Process> {
  static constexpr auto kFields = std::tuple{
      Field{"terminal", &Process::terminal},
      Field{"consoleSize", &Process::console_size},
      Field{"user", &Process::user},
      Field{"args", &Process::args},
      Field{"env", &Process::env},
      Field{"cwd", &Process::cwd},
      Field{"capabilities", &Process::capabilities},
      Field{"rlimits", &Process::rlimits},
      Field{"noNewPrivileges", &Process::no_new_privileges},
      Field{"apparmorProfile", &Process::apparmor_profile},
      Field{"oomScoreAdj", &Process::oom_score_adj},
      Field{"selinuxLabel", &Process::selinux_label}};
};

template <>
struct Schema<Hook> {
  static constexpr auto kFields =
      std::tuple{Field{"path", &Hook::path}, Field{"args", &Hook::args}, Field{"env", &Hook::env},
                 Field{"timeout", &Hook::timeout}};
};

template <>
struct Schema<Hooks> {
  static constexpr auto kFields = std::tuple{
      Field{"prestart", &Hooks::prestart},
      Field{"createRuntime", &Hooks::create_runtime},
      Field{"createContainer", &Hooks::create_container},
      Field{"startContainer", &Hooks::start_container},
      Field{"poststart", &Hooks::poststart},
      Field{"poststop", &Hooks::poststop}};
};

template <>
struct Schema<IdMapping> {
  static constexpr auto kFields =
      std::tuple{Field{"containerID", &IdMapping::container_id},
                 Field{"hostID", &IdMapping::host_id}, Field{"size", &IdMapping::size}};
};

template <>
struct Schema<Namespace> {
  static constexpr auto kFields =
      std::tuple{Field{"type", &Namespace::type}, Field{"path", &Namespace::path}};
};

template <>
struct Schema<Device> {
  static constexpr auto kFields = std::tuple{
      Field{"type", &Device::type},   Field{"path", &Device::path},
      Field{"major", &Device::major}, Field{"minor", &Device::minor},
      Field{"fileMode", &Device::file_mode}, Field{"uid", &Device::uid},
      Field{"gid", &Device::gid}};
};

template <>
struct Schema<DeviceCgroupRule> {
  static constexpr auto kFields = std::tuple{
      Field{"allow", &DeviceCgroupRule::allow}, Field{"type", &DeviceCgroupRule::type},
      Field{"major", &DeviceCgroupRule::major}, Field{"minor", &DeviceCgroupRule::minor},
      Field{"access", &DeviceCgroupRule::access}};
};

template <>
struct Schema<MemoryResources> {
  static constexpr auto kFields = std::tuple{
      Field{"limit", &MemoryResources::limit},
      Field{"reservation", &MemoryResources::reservation},
      Field{"swap", &MemoryResources::swap},
      Field{"kernel", &MemoryResources::kernel},
      Field{"kernelTCP", &MemoryResources::kernel_tcp},
      Field{"swappiness", &MemoryResources::swappiness},
      Field{"disableOOMKiller", &MemoryResources::disable_oom_killer},
      Field{"useHierarchy", &MemoryResources::use_hierarchy},
      Field{"checkBeforeUpdate", &MemoryResources::check_before_update}};
};

template <>
struct Schema<CpuResources> {
  static constexpr auto kFields = std::tuple{
      Field{"shares", &CpuResources::shares},
      Field{"quota", &CpuResources::quota},
      Field{"burst", &CpuResources::burst},
      Field{"period", &CpuResources::period},
      Field{"realtimeRuntime", &CpuResources::realtime_runtime},
      Field{"realtimePeriod", &CpuResources::realtime_period},
      Field{"cpus", &CpuResources::cpus},
      Field{"mems", &CpuResources::mems},
      Field{"idle", &CpuResources::idle}};
};

template <>
struct Schema<PidsResources> {
  static constexpr auto kFields = std::tuple{Field{"limit", &PidsResources::limit}};
};

template <>
struct Schema<WeightDevice> {
  static constexpr auto kFields = std::tuple{
      Field{"major", &WeightDevice::major}, Field{"minor", &WeightDevice::minor},
      Field{"weight", &WeightDevice::weight}, Field{"leafWeight", &WeightDevice::leaf_weight}};
};

template <>
struct Schema<ThrottleDevice> {
  static constexpr auto kFields =
      std::tuple{Field{"major", &ThrottleDevice::major}, Field{"minor", &ThrottleDevice::minor},
                 Field{"rate", &ThrottleDevice::rate}};
};

template <>
struct Schema<BlockIoResources> {
  static constexpr auto kFields = std::tuple{
      Field{"weight", &BlockIoResources::weight},
      Field{"leafWeight", &BlockIoResources::leaf_weight},
      Field{"weightDevice", &BlockIoResources::weight_device},
      Field{"throttleReadBpsDevice", &BlockIoResources::throttle_read_bps_device},
      Field{"throttleWriteBpsDevice", &BlockIoResources::throttle_write_bps_device},
      Field{"throttleReadIOPSDevice", &BlockIoResources::throttle_read_iops_device},
      Field{"throttleWriteIOPSDevice", &BlockIoResources::throttle_write_iops_device}};
};

template <>
struct Schema<HugepageLimit> {
  static constexpr auto kFields = std::tuple{Field{"pageSize", &HugepageLimit::page_size},
                                             Field{"limit", &HugepageLimit::limit}};
};

template <>
struct Schema<InterfacePriority> {
  static constexpr auto kFields = std::tuple{Field{"name", &InterfacePriority::name},
                                             Field{"priority", &InterfacePriority::priority}};
};

template <>
struct Schema<NetworkResources> {
  static constexpr auto kFields = std::tuple{Field{"classID", &NetworkResources::class_id},
                                             Field{"priorities", &NetworkResources::priorities}};
};

template <>
struct Schema<Resources> {
  static constexpr auto kFields = std::tuple{
      Field{"devices", &Resources::devices},
      Field{"memory", &Resources::memory},
      Field{"cpu", &Resources::cpu},
      Field{"pids", &Resources::pids},
      Field{"blockIO", &Resources::block_io},
      Field{"hugepageLimits", &Resources::hugepage_limits},
      Field{"network", &Resources::network},
      Field{"unified", &Resources::unified}};
};

template <>
struct Schema<SeccompArg> {
  static constexpr auto kFields =
      std::tuple{Field{"index", &SeccompArg::index}, Field{"value", &SeccompArg::value},
                 Field{"valueTwo", &SeccompArg::value_two}, Field{"op", &SeccompArg::op}};
};

template <>
struct Schema<SeccompSyscall> {
  static constexpr auto kFields = std::tuple{
      Field{"names", &SeccompSyscall::names}, Field{"action", &SeccompSyscall::action},
      Field{"errnoRet", &SeccompSyscall::errno_ret}, Field{"args", &SeccompSyscall::args}};
};

template <>
struct Schema<Seccomp> {
  static constexpr auto kFields = std::tuple{
      Field{"defaultAction", &Seccomp::default_action},
      Field{"defaultErrnoRet", &Seccomp::default_errno_ret},
      Field{"architectures", &Seccomp::architectures},
      Field{"flags", &Seccomp::flags},
      Field{"listenerPath", &Seccomp::listener_path},
      Field{"listenerMetadata", &Seccomp::listener_metadata},
      Field{"syscalls", &Seccomp::syscalls}};
};

template <>
struct Schema<Personality> {
  static constexpr auto kFields =
      std::tuple{Field{"domain", &Personality::domain}, Field{"flags", &Personality::flags}};
};

template <>
struct Schema<IntelRdt> {
  static constexpr auto kFields = std::tuple{Field{"closID", &IntelRdt::clos_id},
                                             Field{"l3CacheSchema", &IntelRdt::l3_cache_schema},
                                             Field{"memBwSchema", &IntelRdt::mem_bw_schema}};
};

template <>
struct Schema<Linux::TimeOffset> {
  static constexpr auto kFields = std::tuple{Field{"secs", &Linux::TimeOffset::secs},
                                             Field{"nanosecs", &Linux::TimeOffset::nanosecs}};
};

template <>
struct Schema<Linux> {
  static constexpr auto kFields = std::tuple{
      Field{"uidMappings", &Linux::uid_mappings},
      Field{"gidMappings", &Linux::gid_mappings},
      Field{"sysctl", &Linux::sysctl},
      Field{"resources", &Linux::resources},
      Field{"cgroupsPath", &Linux::cgroups_path},
      Field{"namespaces", &Linux::namespaces},
      Field{"devices", &Linux::devices},
      Field{"seccomp", &Linux::seccomp},
      Field{"rootfsPropagation", &Linux::rootfs_propagation},
      Field{"maskedPaths", &Linux::masked_paths},
      Field{"readonlyPaths", &Linux::readonly_paths},
      Field{"mountLabel", &Linux::mount_label},
      Field{"personality", &Linux::personality},
      Field{"timeOffsets", &Linux::time_offsets},
      Field{"intelRdt", &Linux::intel_rdt}};
};

template <>
struct Schema<Spec> {
  static constexpr auto kFields = std::tuple{
      Field{"ociVersion", &Spec::oci_version}, Field{"root", &Spec::root},
      Field{"mounts", &Spec::mounts},          Field{"process", &Spec::process},
      Field{"hostname", &Spec::hostname},      Field{"domainname", &Spec::domainname},
      Field{"hooks", &Spec::hooks},            Field{"annotations", &Spec::annotations},
      Field{"linux", &Spec::linux}};
};

Result<Spec> ParseSpec(std::string_view json, std::string_view source) {
  return DecodeText<Spec>(json, source);
}

Result<Spec> LoadSpec(const std::string& bundle_dir) {
  std::string path = bundle_dir + "/config.json";
  std::string text = TRY(ReadFile(path));
  return ParseSpec(text, path);
}

nlohmann::json SpecToJson(const Spec& spec) { return Encode(spec); }

Result<Process> ParseProcess(std::string_view json, std::string_view source) {
  return DecodeText<Process>(json, source);
}

nlohmann::json ProcessToJson(const Process& process) { return Encode(process); }

Result<Resources> ParseResources(std::string_view json, std::string_view source) {
  return DecodeText<Resources>(json, source);
}

nlohmann::json ResourcesToJson(const Resources& resources) { return Encode(resources); }

}  // namespace cocoon::oci
