// The two shapes every stage of the pipeline has: something bytes are written into, and
// something bytes are read out of. Compressors, split files and repositories all fit them.
#pragma once

#include <cstddef>

namespace kura {

class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual void write(const void* data, std::size_t length) = 0;
    // Flushes everything downstream and makes it durable where that means something.
    virtual void close() = 0;
};

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads up to `length` bytes; returns 0 only at the end of the stream.
    virtual std::size_t read(void* buffer, std::size_t length) = 0;
};

// Reads until `length` bytes or the end; returns how many were read.
std::size_t read_fully(ByteSource& source, void* buffer, std::size_t length);

}  // namespace kura
