#include "core/bitmap.h"

#include "core/error.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(Bitmap, BytesFollowPartcloneLayoutLeastSignificantBitFirst) {
    Bitmap b(20);
    b.set(0);
    b.set(9);
    b.set(19);
    ASSERT_EQ(b.byte_count(), 3u);
    EXPECT_EQ(b.bytes()[0], 0x01);
    EXPECT_EQ(b.bytes()[1], 0x02);
    EXPECT_EQ(b.bytes()[2], 0x08);
    EXPECT_EQ(b.count(), 3u);
}

TEST(Bitmap, SetRangeCrossesWordBoundaries) {
    Bitmap b(300);
    b.set_range(60, 150);
    EXPECT_EQ(b.count(), 150u);
    EXPECT_FALSE(b.test(59));
    EXPECT_TRUE(b.test(60));
    EXPECT_TRUE(b.test(209));
    EXPECT_FALSE(b.test(210));
}

TEST(Bitmap, CountBelowCountsOnlyEarlierBits) {
    Bitmap b(200);
    b.set_range(60, 10);  // 60..69, across a word boundary
    b.set(0);
    b.set(199);
    EXPECT_EQ(b.count_below(0), 0u);
    EXPECT_EQ(b.count_below(1), 1u);
    EXPECT_EQ(b.count_below(64), 5u);
    EXPECT_EQ(b.count_below(70), 11u);
    EXPECT_EQ(b.count_below(199), 11u);
    EXPECT_EQ(b.count_below(200), 12u);
    EXPECT_EQ(b.count_below(1000), 12u);
}

TEST(Bitmap, RunsAreFoundInOrderAndStopAtTheEnd) {
    Bitmap b(200);
    b.set_range(3, 4);
    b.set_range(64, 64);
    b.set_range(190, 10);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
    std::uint64_t pos = 0;
    while (auto r = b.next_run(pos)) {
        runs.emplace_back(r->start, r->length);
        pos = r->start + r->length;
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> expected = {{3, 4}, {64, 64}, {190, 10}};
    EXPECT_EQ(runs, expected);
}

TEST(Bitmap, EmptyAndFullBitmaps) {
    Bitmap empty(1000);
    EXPECT_FALSE(empty.next_run(0).has_value());
    Bitmap full(1000);
    full.set_range(0, 1000);
    auto r = full.next_run(0);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->start, 0u);
    EXPECT_EQ(r->length, 1000u);
}

TEST(Bitmap, FromBytesRoundTrips) {
    Bitmap b(77);
    b.set_range(5, 30);
    b.set(76);
    Bitmap c = Bitmap::from_bytes(b.bytes(), b.byte_count(), 77);
    EXPECT_EQ(c.count(), b.count());
    for (std::uint64_t i = 0; i < 77; ++i) EXPECT_EQ(c.test(i), b.test(i)) << i;
}

TEST(Bitmap, FromBytesRejectsBitsPastTheEndAndWrongLength) {
    std::uint8_t bytes[2] = {0xFF, 0xFF};
    EXPECT_THROW(Bitmap::from_bytes(bytes, 2, 12), Error);  // bits 12..15 set
    EXPECT_THROW(Bitmap::from_bytes(bytes, 2, 20), Error);  // 20 bits need 3 bytes
    std::uint8_t ok[2] = {0xFF, 0x0F};
    EXPECT_EQ(Bitmap::from_bytes(ok, 2, 12).count(), 12u);
}

}  // namespace
}  // namespace kura
