package org.gntfs.index;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.protocol.Pages;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of finding the extent of a page, in an index of 10^3 and of 10^6 one-page extents
 * (the worst case: a region grown one page at a time). Two access patterns: pages at random,
 * and pages in file order, which is how the daemon walks a read, a write or a writeback.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class ExtentIndexBenchmark {
    private static final int PROBES = 1 << 16;

    @Param({"1000", "1000000"})
    int extents;

    private ExtentIndex index;
    private long[] randomPages;
    private int next;
    private long sequentialPage;

    @Setup
    public void buildIndex() {
        int[] grefs = new int[extents];
        long[] addresses = new long[extents];
        for (int i = 0; i < extents; i++) {
            grefs[i] = 8 + i;
            addresses[i] = (long) i * Pages.PAGE_SIZE;
        }
        GrantAllocation pages =
                new GrantAllocation(0, true, 0, ImmutableIntArray.copyOf(grefs), ImmutableLongArray.copyOf(addresses));
        index = new ExtentIndex();
        for (int i = 0; i < extents; i++) {
            index.insert(new Extent(i, pages, i, 1));
        }
        SplittableRandom random = new SplittableRandom(42);
        randomPages = new long[PROBES];
        for (int i = 0; i < PROBES; i++) {
            randomPages[i] = random.nextInt(extents);
        }
    }

    @Benchmark
    public int randomPage() {
        long page = randomPages[next++ & (PROBES - 1)];
        return index.find(page).gref(page);
    }

    @Benchmark
    public int pagesInFileOrder() {
        long page = sequentialPage++;
        if (sequentialPage == extents) {
            sequentialPage = 0;
        }
        return index.find(page).gref(page);
    }
}
