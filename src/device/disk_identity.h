// What identifies a disk across boots and machines: its WWID (the LUN's world-wide name,
// the same on every path to it) and its serial number, with the model and vendor that
// help a person recognise it. Kernel names (sdb) change with probe order, so images and
// unattended commands name disks by these instead.
#pragma once

#include "device/disk_inventory.h"
#include "device/sysfs.h"

#include <string>

namespace kura {

struct DiskIds {
    std::string model, vendor, serial, wwid;
};

// Reads the identifiers of the whole disk `dev` from sysfs:
//   wwid:   <disk>/wwid (NVMe namespaces), else <disk>/device/wwid (SCSI, SATA through
//           libata, FC, iSCSI, SAS, USB when the device reports one);
//   serial: <disk>/serial (virtio-blk), <disk>/device/serial (NVMe controller, MMC card),
//           the unit serial number VPD page <disk>/device/vpd_pg80 (SCSI and friends),
//           and for USB disks without either, the serial of the USB device they sit on;
//   model:  <disk>/device/model (SCSI, NVMe), <disk>/device/name (MMC);
//   vendor: <disk>/device/vendor, unless it is a bus id number (virtio's "0x1af4").
// Identifiers are normalised with normalize_identifier.
DiskIds read_disk_ids(const Sysfs& sysfs, dev_t dev, Transport transport);

// The serial number in a Unit Serial Number VPD page (0x80) as the kernel exposes it:
// a 4-byte header (byte 1 = 0x80, bytes 2-3 = length, big-endian) then ASCII, often
// padded with blanks or NULs. Empty when the page is malformed.
std::string serial_from_vpd_pg80(const std::string& page);

// Blanks at both ends removed and every inner run of blanks (and NULs) turned into one '_',
// so an identifier can be typed as one word ("wwid:t10.ATA_QEMU_HARDDISK_QM00001").
std::string normalize_identifier(const std::string& text);

}  // namespace kura
