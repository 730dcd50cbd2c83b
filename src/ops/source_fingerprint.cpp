#include "ops/source_fingerprint.h"

#include "core/sha256.h"
#include "device/device.h"

#include <vector>

namespace kura {
namespace {

std::string hex(const std::uint8_t* bytes, std::size_t length) {
    static const char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(length * 2);
    for (std::size_t i = 0; i < length; ++i) {
        text += digits[bytes[i] >> 4];
        text += digits[bytes[i] & 15];
    }
    return text;
}

}  // namespace

SourceFingerprint fingerprint_source(const PartitionSource& source) {
    SourceFingerprint f;
    f.device_bytes = source.device_bytes;
    f.fs_type = source.probe.type;
    f.fs_uuid = source.probe.uuid;
    f.raw = source.raw;
    if (!source.raw) {
        auto header = encode_partclone_v2(partclone_header_for(source.map));
        f.header_hex = hex(header.data(), header.size());
        Sha256 bitmap;
        bitmap.update(source.map.used.bytes(), source.map.used.byte_count());
        f.bitmap_sha256 = bitmap.hex_digest();
    }
    Device device = Device::open(source.path, Access::read_only, Role::source);
    std::vector<std::uint8_t> head(static_cast<std::size_t>(std::min<std::uint64_t>(device.size(), 1u << 20)));
    device.read_at(head.data(), head.size(), 0);
    Sha256 h;
    h.update(head.data(), head.size());
    f.head_sha256 = h.hex_digest();
    return f;
}

std::string describe_change(const SourceFingerprint& then, const SourceFingerprint& now) {
    std::vector<std::string> changes;
    if (then.device_bytes != now.device_bytes)
        changes.push_back("its size changed from " + std::to_string(then.device_bytes) + " to " +
                          std::to_string(now.device_bytes) + " bytes");
    if (then.fs_type != now.fs_type || then.fs_uuid != now.fs_uuid)
        changes.push_back("it now holds " + (now.fs_type.empty() ? "no filesystem" : now.fs_type) +
                          (now.fs_uuid.empty() ? "" : " UUID " + now.fs_uuid) + " instead of " +
                          (then.fs_type.empty() ? "no filesystem" : then.fs_type) +
                          (then.fs_uuid.empty() ? "" : " UUID " + then.fs_uuid));
    if (then.raw != now.raw) changes.push_back("it would now be copied " + std::string(now.raw ? "whole (dd)" : "by its used blocks"));
    if (then.header_hex != now.header_hex && then.bitmap_sha256 == now.bitmap_sha256)
        changes.push_back("its filesystem geometry changed");
    if (then.bitmap_sha256 != now.bitmap_sha256)
        changes.push_back("its used blocks changed (files were written, deleted or moved)");
    if (then.head_sha256 != now.head_sha256)
        changes.push_back("its first MiB changed (the filesystem was mounted read-write or modified)");
    std::string text;
    for (const auto& c : changes) text += (text.empty() ? "" : "; ") + c;
    return text;
}

}  // namespace kura
