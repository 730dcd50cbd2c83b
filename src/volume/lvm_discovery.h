// The volume groups on a set of devices (the partitions of the disks being saved, or the
// target's partitions after a restore): every PV's label read, each VG's newest metadata
// taken (highest seqno with a good CRC), and the VG's PVs matched to where they are.
#pragma once

#include "volume/lvm_logical_volume_access.h"
#include "volume/lvm_metadata.h"

#include <string>
#include <vector>

namespace kura {

struct DiscoveredVolumeGroup {
    LvmVolumeGroup vg;
    PvLocations found;                 // by PV UUID: the members present among the devices
    std::vector<std::string> missing;  // PV UUIDs (with device hints) the VG lists but the devices lack
};

struct PvCandidate {
    std::string name;   // as the image names it: sda2
    PvLocation where;
};

// Throws Error(source_unsupported) naming the device for damaged labels or metadata, and
// for PVs of one VG that disagree (different VG id for one name, a seqno gap that says a
// change was half written).
std::vector<DiscoveredVolumeGroup> discover_volume_groups(const std::vector<PvCandidate>& devices);

}  // namespace kura
