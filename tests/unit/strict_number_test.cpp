// Numbers from outside: the whole token is the number, or it is not one; arithmetic on
// header fields says when it would wrap instead of wrapping.
#include "core/checked_math.h"
#include "core/strict_number.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(StrictNumber, DecimalTakesOnlyWholeTokensInRange) {
    EXPECT_EQ(parse_decimal_u64("0"), 0u);
    EXPECT_EQ(parse_decimal_u64("18446744073709551615"), UINT64_MAX);
    EXPECT_FALSE(parse_decimal_u64("18446744073709551616"));  // 2^64
    EXPECT_FALSE(parse_decimal_u64("99999999999999999999"));  // 20 digits
    EXPECT_FALSE(parse_decimal_u64(""));
    EXPECT_FALSE(parse_decimal_u64("abc"));
    EXPECT_FALSE(parse_decimal_u64("-1"));
    EXPECT_FALSE(parse_decimal_u64("+1"));
    EXPECT_FALSE(parse_decimal_u64(" 1"));
    EXPECT_FALSE(parse_decimal_u64("12x"));
    EXPECT_FALSE(parse_decimal_u64("0x10"));
}

TEST(StrictNumber, HexAndSeconds) {
    EXPECT_EQ(parse_hex_u64("fF"), 255u);
    EXPECT_FALSE(parse_hex_u64("0x1"));
    EXPECT_FALSE(parse_hex_u64("g"));
    EXPECT_EQ(parse_non_negative_double("12.5"), 12.5);
    EXPECT_EQ(parse_non_negative_double("1.23457e+06"), 1.23457e+06);  // as an ostream prints it
    EXPECT_EQ(parse_non_negative_double("3"), 3.0);
    for (const char* bad : {"abc", "", "-1", "nan", "inf", "1.5x", "1e999", " 1"})
        EXPECT_FALSE(parse_non_negative_double(bad)) << bad;
}

TEST(CheckedMath, SaysWhenItWouldWrap) {
    EXPECT_EQ(checked_add(1, 2), 3u);
    EXPECT_FALSE(checked_add(UINT64_MAX, 1));
    EXPECT_EQ(checked_mul(1ull << 32, (1ull << 32) - 1), (1ull << 32) * ((1ull << 32) - 1));
    EXPECT_FALSE(checked_mul(1ull << 32, 1ull << 32));
    EXPECT_EQ(bytes_for_bits(UINT64_MAX), (1ull << 61));  // (bits + 7) / 8 would give 0
    EXPECT_EQ(bytes_for_bits(9), 2u);
    EXPECT_TRUE(is_power_of_two(4096));
    EXPECT_FALSE(is_power_of_two(0));
    EXPECT_FALSE(is_power_of_two(1536));
}

}  // namespace
}  // namespace kura
