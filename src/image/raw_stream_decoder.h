// A `dd` stream (Clonezilla's `<part>.dd-ptcl-img.*`): the partition's raw bytes with no
// header, no bitmap and no checksums - what partclone.dd writes and what kura writes for a
// partition whose filesystem it does not read (unformatted, unknown, LVM for now). Handed
// out in 512-byte sectors, every one of them "used". The size is only known at the end,
// so header().device_size stays 0 until finish(); the per-file SHA-256 in kura's manifest
// is what protects these bytes.
#pragma once

#include "image/stream_decoder.h"

#include <string>

namespace kura {

inline constexpr std::uint32_t raw_stream_sector = 512;

class RawStreamDecoder : public StreamDecoder {
public:
    RawStreamDecoder(std::string part, GroupHandler on_group, StartHandler on_start = {});

    void feed(const std::uint8_t* data, std::size_t length) override;
    void finish() override;

    bool header_ready() const override { return true; }
    const PartcloneHeader& header() const override { return header_; }
    const Bitmap* used_map() const override { return nullptr; }
    std::uint64_t used_blocks() const override { return header_.used_blocks; }
    std::uint64_t trailing_bytes() const override { return 0; }

private:
    void emit();

    std::string part_;
    GroupHandler on_group_;
    StartHandler on_start_;
    bool started_ = false;
    PartcloneHeader header_;
    BlockGroup group_;
};

}  // namespace kura
