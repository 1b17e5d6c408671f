// Tests for the device tables: defaults, spec devices, types.
#include "rootfs/devices.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace cocoon::rootfs {
namespace {

TEST(DeviceFileTypeTest, Table) {
  EXPECT_EQ(*DeviceFileType("c"), static_cast<mode_t>(S_IFCHR));
  EXPECT_EQ(*DeviceFileType("u"), static_cast<mode_t>(S_IFCHR));
  EXPECT_EQ(*DeviceFileType("b"), static_cast<mode_t>(S_IFBLK));
  EXPECT_EQ(*DeviceFileType("p"), static_cast<mode_t>(S_IFIFO));
  auto bad = DeviceFileType("x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "linux.devices: unknown device type \"x\"");
}

TEST(DevicesForTest, DefaultsWithoutLinuxSection) {
  auto devices = DevicesFor(oci::Spec{});
  ASSERT_TRUE(devices);
  ASSERT_EQ(devices->size(), 6u);
  EXPECT_EQ((*devices)[0].path, "/dev/null");
  EXPECT_EQ((*devices)[0].major, 1u);
  EXPECT_EQ((*devices)[0].minor, 3u);
  EXPECT_EQ((*devices)[5].path, "/dev/tty");
  EXPECT_EQ((*devices)[5].major, 5u);
  for (const DeviceNode& d : *devices) {
    EXPECT_EQ(d.type, static_cast<mode_t>(S_IFCHR)) << d.path;
    EXPECT_EQ(d.mode, 0666u) << d.path;
  }
}

TEST(DevicesForTest, SpecDevicesAddAndReplace) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->devices.push_back({"b", "/dev/loop7", 7, 7, 0600, 1, 2});
  spec.linux->devices.push_back({"c", "/dev/null", 1, 3, 0640, std::nullopt, 5});
  spec.linux->devices.push_back({"p", "/dev/fifo", 0, 0, std::nullopt, std::nullopt, std::nullopt});
  auto devices = DevicesFor(spec);
  ASSERT_TRUE(devices) << devices.error().message();
  ASSERT_EQ(devices->size(), 8u);
  EXPECT_EQ((*devices)[0].path, "/dev/null");
  EXPECT_EQ((*devices)[0].mode, 0640u);
  EXPECT_EQ((*devices)[0].gid, 5u);
  const DeviceNode& loop = (*devices)[6];
  EXPECT_EQ(loop.type, static_cast<mode_t>(S_IFBLK));
  EXPECT_EQ(loop.uid, 1u);
  EXPECT_EQ(loop.gid, 2u);
  EXPECT_EQ((*devices)[7].type, static_cast<mode_t>(S_IFIFO));
  EXPECT_EQ((*devices)[7].mode, 0666u);
}

TEST(DevicesForTest, BadSpecDevices) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->devices.push_back({"q", "/dev/x", 1, 1, std::nullopt, std::nullopt, std::nullopt});
  auto bad_type = DevicesFor(spec);
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().message(), "/dev/x: linux.devices: unknown device type \"q\"");
  spec.linux->devices[0] = {"c", "dev/x", 1, 1, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_FALSE(DevicesFor(spec));
  spec.linux->devices[0] = {"c", "/dev/x", -1, 1, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_FALSE(DevicesFor(spec));
}

}  // namespace
}  // namespace cocoon::rootfs
