// What every fuzz target shares: the input as text, and a stream fed to a decoder in the
// uneven pieces a decompressor hands out, so piece boundaries are fuzzed too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kura::fuzz {

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Feeds data[1..] to `feed` in pieces whose sizes cycle through a pattern chosen by data[0].
template <typename Feed>
void feed_in_pieces(const std::uint8_t* data, std::size_t size, Feed feed) {
    if (size == 0) return;
    const std::size_t pattern[] = {1, 7, 33, 110, 512, 4096, 65536};
    std::size_t step = data[0] % 7, offset = 1;
    while (offset < size) {
        std::size_t n = pattern[step % 7];
        if (data[0] & 0x80) n = size;  // also the whole stream at once
        if (n > size - offset) n = size - offset;
        feed(data + offset, n);
        offset += n;
        ++step;
    }
}

}  // namespace kura::fuzz
