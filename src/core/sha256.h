// SHA-256 of a byte stream, for the per-file checksums in kura's manifest. Partclone's
// CRC-32 catches a flipped bit in one block; a strong hash of each whole file also catches
// a piece swapped, replaced or cut at a block boundary, and covers streams without CRCs
// (dd images). OpenSSL's implementation uses the CPU's SHA extensions where present.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace kura {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    void update(const void* data, std::size_t length);
    // The digest as 64 lower-case hex digits; the object starts over afterwards.
    std::string hex_digest();
    // The digest of what was hashed so far, without ending the hash: a save checkpoint
    // records the digest of a piece's kept prefix while the piece goes on growing.
    std::string peek_hex_digest() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace kura
