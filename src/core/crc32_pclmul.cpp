#include "core/crc32_pclmul.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace kura {

#if defined(__x86_64__)
namespace {

// x^k mod P(x) for the (unreflected) CRC-32 polynomial 0x104C11DB7.
constexpr std::uint32_t xpow_mod(unsigned k) {
    std::uint32_t r = 1;  // x^0
    for (unsigned i = 0; i < k; ++i) r = (r & 0x80000000u) ? (r << 1) ^ 0x04C11DB7u : r << 1;
    return r;
}

constexpr std::uint32_t reflect32(std::uint32_t v) {
    std::uint32_t r = 0;
    for (int i = 0; i < 32; ++i)
        if (v & (1u << i)) r |= 1u << (31 - i);
    return r;
}

// Folding constant that moves a 64-bit reflected half forward by (k - 32) bits.
constexpr std::uint64_t fold_constant(unsigned k) {
    return static_cast<std::uint64_t>(reflect32(xpow_mod(k))) << 1;
}

// Fold distance of 4 lanes (512 bits) and of 1 lane (128 bits). The low half of a lane
// holds the earlier bytes, i.e. the higher powers, so it moves 64 bits further.
constexpr std::uint64_t k_fold4_lo = fold_constant(4 * 128 + 32);
constexpr std::uint64_t k_fold4_hi = fold_constant(4 * 128 - 32);
constexpr std::uint64_t k_fold1_lo = fold_constant(128 + 32);
constexpr std::uint64_t k_fold1_hi = fold_constant(128 - 32);
static_assert(k_fold4_lo == 0x154442bd4ull, "published constant for x^544 mod P");
static_assert(k_fold1_hi == 0x0ccaa009eull, "published constant for x^96 mod P");

__attribute__((target("pclmul,sse4.1"))) inline __m128i fold(__m128i x, __m128i k, __m128i next) {
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i load(const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

std::uint32_t table_crc_of_16(const std::uint8_t* bytes) {
    // The folded remainder is a 16-byte message with a zero start register; its CRC is the
    // CRC of everything folded into it. A bitwise loop over 16 bytes is cheap enough here.
    std::uint32_t crc = 0;
    for (int i = 0; i < 16; ++i) {
        crc ^= bytes[i];
        for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return crc;
}

}  // namespace

bool crc32_pclmul_available() {
    static const bool available = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    return available;
}

__attribute__((target("pclmul,sse4.1"))) std::uint32_t crc32_pclmul(std::uint32_t state,
                                                                     const std::uint8_t* p,
                                                                     std::size_t n) {
    const __m128i k4 = _mm_set_epi64x(static_cast<long long>(k_fold4_hi), static_cast<long long>(k_fold4_lo));
    const __m128i k1 = _mm_set_epi64x(static_cast<long long>(k_fold1_hi), static_cast<long long>(k_fold1_lo));

    // A start register S is the same as XOR-ing S into the first four message bytes.
    __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(state)));
    if (n >= 64) {
        __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48);
        p += 64;
        n -= 64;
        while (n >= 64) {
            x0 = fold(x0, k4, load(p));
            x1 = fold(x1, k4, load(p + 16));
            x2 = fold(x2, k4, load(p + 32));
            x3 = fold(x3, k4, load(p + 48));
            p += 64;
            n -= 64;
        }
        x0 = fold(x0, k1, x1);
        x0 = fold(x0, k1, x2);
        x0 = fold(x0, k1, x3);
    } else {
        p += 16;
        n -= 16;
    }
    while (n >= 16) {
        x0 = fold(x0, k1, load(p));
        p += 16;
        n -= 16;
    }
    alignas(16) std::uint8_t rest[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(rest), x0);
    return table_crc_of_16(rest);
}

#else

bool crc32_pclmul_available() { return false; }
std::uint32_t crc32_pclmul(std::uint32_t state, const std::uint8_t*, std::size_t) { return state; }

#endif

}  // namespace kura
