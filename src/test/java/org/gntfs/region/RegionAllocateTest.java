package org.gntfs.region;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.ImmutableIntArray;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * fallocate's work on a region's granted pages ({@link Region#allocate}): growth as a resize,
 * zeroing in place with the grants kept, nothing reserved past the size, all or nothing.
 */
class RegionAllocateTest {
    private static final Instant T0 = SimulatedTree.T0;
    private static final Instant LATER = T0.plusSeconds(60);
    private static final int PAGE = 4096;

    /** A pool of 16 pages; each uid may hold 6 of them. */
    @RegisterExtension
    final SimulatedTree simulated = new SimulatedTree(16, 0, 0, 0, new Limits(64, 1 << 20, 1 << 20, 6));

    private RegionTree tree;
    private Region region;

    @BeforeEach
    void createRegion() {
        tree = simulated.tree();
        region = tree.create("/r", 0600, 1000, 1000);
    }

    @Test
    void modeZero_pastTheSize_growsAsAResize_andKeepsTheGrefs() {
        fill(0, 3 * PAGE, 'a');
        ImmutableIntArray before = region.grefs();

        region.allocate(2 * PAGE, 2 * PAGE + 1, false, false, LATER);

        assertThat(region.size()).isEqualTo(4 * PAGE + 1);
        assertThat(region.grefs().length()).isEqualTo(5);
        assertThat(region.grefs().subArray(0, 3)).isEqualTo(before);
        assertThat(bytes(0, 3 * PAGE)).as("bytes inside stay").matches("a+");
        assertThat(bytes(3 * PAGE, PAGE + 1)).as("new pages are zero").matches("\0+");
        assertThat(region.modified()).isEqualTo(LATER);
        assertThat(region.changed()).isEqualTo(LATER);
        assertThat(simulated.table().usage().used()).isEqualTo(5);
    }

    @Test
    void modeZero_insideTheSize_andKeepSize_changeNothingButTheTimes() {
        fill(0, 2 * PAGE, 'b');
        ImmutableIntArray before = region.grefs();

        region.allocate(1, PAGE, false, false, LATER);
        region.allocate(PAGE, 100 * PAGE, true, false, LATER);

        assertThat(region.size()).isEqualTo(2 * PAGE);
        assertThat(region.grefs()).as("nothing reserved past the size").isEqualTo(before);
        assertThat(bytes(0, 2 * PAGE)).matches("b+");
        assertThat(region.modified()).isEqualTo(LATER);
        assertThat(simulated.table().usage().used()).isEqualTo(2);
    }

    @Test
    void punch_zeroesTheRangeInThePages_andKeepsEveryGrant() {
        fill(0, 3 * PAGE, 'c');
        ImmutableIntArray before = region.grefs();

        region.allocate(PAGE - 5, PAGE + 10, true, true, LATER);

        assertThat(region.grefs()).isEqualTo(before);
        assertThat(bytes(0, PAGE - 5)).matches("c+");
        assertThat(bytes(PAGE - 5, PAGE + 10)).matches("\0+");
        assertThat(bytes(2 * PAGE + 5, PAGE - 5)).matches("c+");
        assertThat(region.size()).isEqualTo(3 * PAGE);
    }

    @Test
    void zeroRange_pastTheSize_growsThenZeroes_andWithKeepSizeStopsAtTheSize() {
        fill(0, 2 * PAGE, 'd');

        region.allocate(PAGE, 10, true, true, LATER);
        region.allocate(2 * PAGE - 1, 100 * PAGE, true, true, LATER);
        assertThat(region.size()).isEqualTo(2 * PAGE);
        assertThat(bytes(PAGE, 10)).matches("\0+");
        assertThat(bytes(PAGE + 10, PAGE - 11)).matches("d+");
        assertThat(bytes(2 * PAGE - 1, 1)).matches("\0+");

        region.allocate(PAGE + 100, 2 * PAGE, false, true, LATER);
        assertThat(region.size()).isEqualTo(3 * PAGE + 100);
        assertThat(bytes(PAGE + 100, 2 * PAGE)).matches("\0+");
        assertThat(bytes(PAGE + 10, 90)).matches("d+");
    }

    @Test
    void aGrowPastThePoolOrTheQuota_leavesTheRegionAsItWas_andTakesNoCharge() {
        fill(0, 2 * PAGE, 'e');
        ImmutableIntArray before = region.grefs();
        Region other = tree.create("/o", 0600, 2000, 2000);
        Region third = tree.create("/t", 0600, 3000, 3000);
        other.resize(6 * PAGE, T0);
        third.resize(6 * PAGE, T0);

        assertFault(() -> region.allocate(0, 5 * PAGE, false, false, LATER), Fault.NO_SPACE);
        other.resize(0, T0);
        third.resize(0, T0);
        assertFault(() -> region.allocate(0, 7 * PAGE, false, true, LATER), Fault.QUOTA_EXCEEDED);

        assertThat(region.size()).isEqualTo(2 * PAGE);
        assertThat(region.grefs()).isEqualTo(before);
        assertThat(bytes(0, 2 * PAGE)).as("a zero range that could not grow zeroes nothing").matches("e+");
        assertThat(region.modified()).isEqualTo(T0);
        assertThat(simulated.table().usage().used()).isEqualTo(2);
        region.allocate(0, 6 * PAGE, false, false, LATER);
        assertThat(region.pages()).as("the quota's charge was given back").isEqualTo(6);
    }

    private static void assertFault(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Fault fault) {
        assertThatThrownBy(call).isInstanceOfSatisfying(GntfsException.class, e -> assertThat(e.fault()).isEqualTo(fault));
    }

    private void fill(long offset, int length, char c) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        for (int i = 0; i < length; i++) {
            buffer.put((byte) c);
        }
        region.write(offset, Posix.MEMORY.getDirectBufferAddress(buffer), length, T0);
    }

    /** The bytes in the granted pages, which a peer maps. */
    private String bytes(long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        int count = region.read(offset, Posix.MEMORY.getDirectBufferAddress(buffer), length);
        assertThat(count).isEqualTo(length);
        byte[] read = new byte[count];
        buffer.get(read);
        return new String(read, US_ASCII);
    }
}
