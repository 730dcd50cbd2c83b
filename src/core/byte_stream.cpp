#include "core/byte_stream.h"

namespace kura {

std::size_t read_fully(ByteSource& source, void* buffer, std::size_t length) {
    auto* p = static_cast<char*>(buffer);
    std::size_t done = 0;
    while (done < length) {
        std::size_t n = source.read(p + done, length - done);
        if (n == 0) break;
        done += n;
    }
    return done;
}

}  // namespace kura
