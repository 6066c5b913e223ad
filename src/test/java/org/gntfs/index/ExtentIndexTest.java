package org.gntfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import java.util.List;
import java.util.stream.IntStream;
import org.gntfs.grant.GrantAllocation;
import org.junit.jupiter.api.Test;

class ExtentIndexTest {
    /** An allocation of {@code pages} pages whose grefs count up from {@code firstGref}. */
    private static GrantAllocation allocation(int firstGref, int pages) {
        return new GrantAllocation(
                0,
                true,
                0,
                ImmutableIntArray.copyOf(IntStream.range(firstGref, firstGref + pages).toArray()),
                ImmutableLongArray.copyOf(IntStream.range(0, pages).mapToLong(i -> 0x10000L + i * 4096L).toArray()));
    }

    @Test
    void append_placesExtentsBackToBack() {
        ExtentIndex index = new ExtentIndex();
        index.append(allocation(100, 3));
        index.append(allocation(200, 2));

        assertThat(index.endPage()).isEqualTo(5);
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.grefs().asList()).containsExactly(100, 101, 102, 200, 201);
    }

    @Test
    void find_atExtentBoundaries() {
        ExtentIndex index = new ExtentIndex();
        index.append(allocation(100, 3));
        index.append(allocation(200, 2));

        assertThat(index.find(0).gref(0)).isEqualTo(100);
        assertThat(index.find(2).gref(2)).isEqualTo(102);
        assertThat(index.find(3).gref(3)).isEqualTo(200);
        assertThat(index.find(4).gref(4)).isEqualTo(201);
        assertThat(index.find(5)).isNull();
        assertThat(new ExtentIndex().find(0)).isNull();
    }

    @Test
    void find_inAHoleIsNull() {
        ExtentIndex index = new ExtentIndex();
        index.insert(Extent.of(0, allocation(1, 2)));
        index.insert(Extent.of(10, allocation(20, 2)));

        assertThat(index.find(1)).isNotNull();
        assertThat(index.find(2)).isNull();
        assertThat(index.find(9)).isNull();
        assertThat(index.find(10).gref(10)).isEqualTo(20);
    }

    @Test
    void insert_refusesOverlaps() {
        ExtentIndex index = new ExtentIndex();
        index.insert(Extent.of(4, allocation(1, 4)));

        assertThatThrownBy(() -> index.insert(Extent.of(7, allocation(50, 1)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.insert(Extent.of(2, allocation(50, 3)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.insert(Extent.of(4, allocation(50, 1)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.insert(Extent.of(0, allocation(50, 10)))).isInstanceOf(IllegalArgumentException.class);
        index.insert(Extent.of(0, allocation(60, 4)));
        index.insert(Extent.of(8, allocation(70, 1)));
        assertThat(index.grefs().asList()).containsExactly(60, 61, 62, 63, 1, 2, 3, 4, 70);
    }

    @Test
    void splitAt_keepsEveryPageWhereItWas() {
        ExtentIndex index = new ExtentIndex();
        index.append(allocation(100, 6));

        index.splitAt(2);
        index.splitAt(2);
        index.splitAt(0);
        index.splitAt(6);

        assertThat(index.size()).isEqualTo(2);
        assertThat(index.find(1).pageCount()).isEqualTo(2);
        Extent tail = index.find(2);
        assertThat(tail.firstPage()).isEqualTo(2);
        assertThat(tail.allocationStart()).isEqualTo(2);
        assertThat(tail.pageAddress(5)).isEqualTo(0x10000L + 5 * 4096L);
        assertThat(index.grefs().asList()).containsExactly(100, 101, 102, 103, 104, 105);
    }

    @Test
    void removeFrom_trimsTheStraddlingExtentAndReturnsTheRest() {
        ExtentIndex index = new ExtentIndex();
        index.append(allocation(100, 4));
        index.append(allocation(200, 3));

        List<Extent> removed = index.removeFrom(2);

        assertThat(index.endPage()).isEqualTo(2);
        assertThat(index.grefs().asList()).containsExactly(100, 101);
        assertThat(removed).hasSize(2);
        assertThat(removed.get(0).firstPage()).isEqualTo(2);
        assertThat(removed.get(0).allocationStart()).isEqualTo(2);
        assertThat(removed.get(0).pageCount()).isEqualTo(2);
        assertThat(removed.get(1).allocation().gref(0)).isEqualTo(200);
    }

    @Test
    void removeFrom_atABoundaryOrPastTheEnd() {
        ExtentIndex index = new ExtentIndex();
        index.append(allocation(100, 4));
        index.append(allocation(200, 3));

        assertThat(index.removeFrom(9)).isEmpty();
        assertThat(index.removeFrom(4)).extracting(Extent::firstPage).containsExactly(4L);
        assertThat(index.removeFrom(0)).extracting(Extent::pageCount).containsExactly(4);
        assertThat(index.size()).isZero();
        assertThat(index.endPage()).isZero();
    }

    @Test
    void last_isTheExtentThatEndsTheIndex() {
        ExtentIndex index = new ExtentIndex();
        assertThat(index.last()).isNull();
        index.append(allocation(100, 4));
        index.append(allocation(200, 3));

        assertThat(index.last().firstPage()).isEqualTo(4);
        index.removeFrom(5);
        assertThat(index.last().pageCount()).isEqualTo(1);
    }

    @Test
    void extent_refusesPagesOutsideItsAllocation() {
        GrantAllocation pages = allocation(1, 2);
        assertThatThrownBy(() -> new Extent(0, pages, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Extent(0, pages, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Extent.of(0, pages).gref(2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lookupsStayCorrectAcrossManyExtents() {
        ExtentIndex index = new ExtentIndex();
        for (int i = 0; i < 1000; i++) {
            index.append(allocation(10_000 + i * 3, 3));
        }
        assertThat(index.find(0).gref(0)).isEqualTo(10_000);
        assertThat(index.find(1500).gref(1500)).isEqualTo(10_000 + 1500);
        assertThat(index.find(2999).gref(2999)).isEqualTo(10_000 + 2999);
        assertThat(index.find(3000)).isNull();
    }
}
