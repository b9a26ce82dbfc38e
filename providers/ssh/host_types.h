#pragma once

// The `ssh` provider's resource types, one file each.

#include <memory>

#include "providers/shell/host_resource.h"

namespace mfgctl {

std::unique_ptr<HostResourceType> MakePackageType();
std::unique_ptr<HostResourceType> MakeDirectoryType();
std::unique_ptr<HostResourceType> MakeFileType();
std::unique_ptr<HostResourceType> MakeCommandType();
std::unique_ptr<HostResourceType> MakeSysctlType();
std::unique_ptr<HostResourceType> MakeGroupType();
std::unique_ptr<HostResourceType> MakeUserType();
std::unique_ptr<HostResourceType> MakeServiceType();
std::unique_ptr<HostResourceType> MakeBundleType();
std::unique_ptr<HostResourceType> MakeAptRepositoryType();
std::unique_ptr<HostResourceType> MakePythonEnvType();
std::unique_ptr<HostResourceType> MakeImageType();
std::unique_ptr<HostResourceType> MakeContainerType();

}  // namespace mfgctl
