// How a disk is attached, read from where the kernel put it in the device tree: the sysfs
// directory of a disk runs through its bus (.../usb2/2-1/..., .../host1/rport-1:0-0/...,
// .../nvme/nvme0/nvme0n1). The operator needs this to tell the USB disk they plugged in
// from the SAN LUN the server boots from.
#pragma once

#include "device/disk_inventory.h"

#include <string>

namespace kura {

// The transport of the disk whose canonical sysfs directory, below the sysfs root, is
// `device_dir` ("devices/pci0000:00/.../block/sda"; the root is left out so that a test
// tree's own location cannot look like a bus). Loop and device-mapper devices are classified by the caller; this
// looks only at the bus segments of the path. When several match, the outermost link wins
// in this order: usb, fc, iscsi, sas, sata, nvme, mmc, virtio, then scsi for any other
// SCSI host (.../hostN/targetN:...), else unknown. So a SATA disk in a USB enclosure is
// "usb", a SATA disk behind a SAS HBA "sas", and a virtio-scsi disk "virtio".
Transport transport_from_sysfs_path(const std::string& device_dir);

}  // namespace kura
