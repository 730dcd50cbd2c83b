// Integers as on-disk formats store them: little-endian (MBR, GPT, LVM2, md, ext, NTFS)
// and big-endian (XFS), read from a byte buffer without alignment assumptions. One
// definition for every reader, so none carries its own copy.
#pragma once

#include <cstdint>

namespace kura {

inline std::uint16_t le16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
inline std::uint32_t le32(const std::uint8_t* p) { return std::uint32_t(le16(p)) | (std::uint32_t(le16(p + 2)) << 16); }
inline std::uint64_t le64(const std::uint8_t* p) { return std::uint64_t(le32(p)) | (std::uint64_t(le32(p + 4)) << 32); }
inline std::uint16_t be16(const std::uint8_t* p) { return std::uint16_t((p[0] << 8) | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) { return (std::uint32_t(be16(p)) << 16) | be16(p + 2); }
inline std::uint64_t be64(const std::uint8_t* p) { return (std::uint64_t(be32(p)) << 32) | be32(p + 4); }

inline void put_le32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = std::uint8_t(v >> (8 * i));
}

}  // namespace kura
