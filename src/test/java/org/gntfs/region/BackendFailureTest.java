package org.gntfs.region;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableIntArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.Limits;
import org.gntfs.grant.sim.SimulatedGrantTable;
import org.gntfs.nativeio.Posix;
import org.gntfs.testing.CapturedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that fails (gntalloc's ioctl answering an error): the failure reaches the caller with
 * its fault, which the adapter turns into EIO, and the region is left as it was, or, where the
 * backend already did part of the work, consistent and still owning every page it could not
 * give back. The one exception is the release of an unlinked region, whose name is gone: it
 * never fails the call, and the tree's reaper retries it.
 */
class BackendFailureTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path directory;

    private SimulatedGrantTable table;
    private FailingBackend backend;
    private RegionTree tree;
    private Region region;

    @BeforeEach
    void createRegion() throws IOException {
        table = SimulatedGrantTable.create(directory, 32);
        backend = new FailingBackend(table);
        tree = new RegionTree(backend, InstantSource.fixed(T0), 0, 0, 0, ImmutableMap.of("backend", "sim"), Limits.DEFAULTS);
        region = tree.create("/r", 0600, 0, 0);
        write(0, "head");
        region.resize(3 * 4096, T0);
        write(2 * 4096, "tail");
    }

    @AfterEach
    void release() {
        backend.recover();
        tree.releaseAll();
        table.close();
    }

    private void write(long offset, String text) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(text.length()).put(text.getBytes(US_ASCII));
        region.write(offset, Posix.MEMORY.getDirectBufferAddress(buffer), text.length(), T0);
    }

    private String read(long offset, int length) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        int count = region.read(offset, Posix.MEMORY.getDirectBufferAddress(buffer), length);
        byte[] bytes = new byte[count];
        buffer.get(bytes);
        return new String(bytes, US_ASCII);
    }

    private static void assertIoError(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(
                GntfsException.class, e -> assertThat(e.fault()).isEqualTo(Fault.IO_ERROR));
    }

    private void assertUnchanged(ImmutableIntArray grefs) {
        assertThat(region.size()).isEqualTo(3 * 4096);
        assertThat(region.grefs()).isEqualTo(grefs);
        assertThat(table.usage().used()).isEqualTo(3);
        assertThat(read(0, 4)).isEqualTo("head");
        assertThat(read(2 * 4096, 4)).isEqualTo("tail");
    }

    @Test
    void aFailedAllocation_leavesTheRegionAsItWas_forGrowAndWrite() {
        ImmutableIntArray grefs = region.grefs();
        backend.fail(FailingBackend.Call.ALLOCATE);

        assertIoError(() -> region.resize(10 * 4096, T0));
        assertIoError(() -> write(5 * 4096, "past the end"));

        assertUnchanged(grefs);
        backend.recover();
        region.resize(4 * 4096, T0);
        assertThat(region.grefs().subArray(0, 3)).isEqualTo(grefs);
    }

    @Test
    void aFailedNotify_leavesTheNotifyAsItWas() {
        region.setNotify(RegionNotify.parse("byte 5"));
        backend.fail(FailingBackend.Call.SET_UNMAP_NOTIFY);

        assertIoError(() -> region.setNotify(RegionNotify.parse("byte 4100 event 2")));
        assertIoError(() -> region.setNotify(RegionNotify.NONE));

        assertThat(region.notifySpec().format()).isEqualTo("byte 5");
    }

    @Test
    void aFailedRelease_keepsThePagesItCouldNotGiveBack_andALaterShrinkReleasesThem() {
        backend.fail(FailingBackend.Call.RELEASE);

        assertIoError(() -> region.resize(4096, T0));

        assertThat(region.pages()).isEqualTo(region.grefs().length()).isEqualTo(table.usage().used());
        assertThat(read(0, 4)).isEqualTo("head");
        backend.recover();
        region.resize(4096, T0);
        assertThat(region.size()).isEqualTo(4096);
        assertThat(table.usage().used()).isEqualTo(1);
    }

    @Test
    void aFailedReleaseOnUnlink_stillRemovesTheName_andTheReaperRetriesUntilTheBackendRecovers() throws Exception {
        backend.fail(FailingBackend.Call.RELEASE);
        String log;
        try (CapturedLog captured = new CapturedLog()) {
            tree.unlink("/r");

            assertThatThrownBy(() -> tree.lookup("/r")).isInstanceOf(GntfsException.class);
            assertStillCounted();
            await(() -> backend.failures(FailingBackend.Call.RELEASE) >= 3);
            assertStillCounted();
            backend.recover();
            await(() -> tree.liveRegions().isEmpty());
            // The reaper logs its success after the region is released: wait for the line too.
            await(() -> captured.text().contains("released the grants of /r at retry"));
            log = captured.text();
        }

        assertThat(region.isReleased()).isTrue();
        assertThat(table.usage().used()).isZero();
        assertThat(log.split("cannot release the grants of /r yet", -1)).hasSize(2);
        assertThat(log).contains("released the grants of /r at retry");
    }

    @Test
    void aFailedReleaseOnTheLastClose_orARenameOver_doesNotFailTheCall() throws Exception {
        Region replaced = tree.create("/replaced", 0600, 0, 0);
        replaced.resize(4096, T0);
        Region mover = tree.create("/mover", 0600, 0, 0);
        region.hold();
        tree.unlink("/r");
        backend.fail(FailingBackend.Call.RELEASE);
        try (CapturedLog quiet = new CapturedLog()) {
            region.unhold();
            tree.rename("/mover", "/replaced");
        }

        assertStillCounted();
        assertThat(tree.liveRegions()).contains(replaced);
        assertThat(table.usage().used()).isEqualTo(4);
        backend.recover();
        await(() -> tree.liveRegions().equals(List.of(mover)));
        assertThat(table.usage().used()).isZero();
    }

    /** Unlinked and not released: its pages are still the pool's used ones, and .grants lists it. */
    private void assertStillCounted() {
        assertThat(tree.liveRegions()).contains(region);
        assertThat(table.usage().used()).isGreaterThanOrEqualTo(3);
        assertThat(grantsReport(tree)).contains("/r (deleted)\t0\t3\trw\t0\t");
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("still waiting after 20 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }


    @Test
    void releasingEverything_goesOnPastARegionTheBackendFailsToRelease() {
        Region other = tree.create("/other", 0600, 0, 0);
        other.resize(4096, T0);
        backend.fail(FailingBackend.Call.RELEASE);

        tree.releaseAll();

        assertThat(tree.liveRegions()).containsExactlyInAnyOrder(region, other);
        backend.recover();
        tree.releaseAll();
        assertThat(tree.liveRegions()).isEmpty();
        assertThat(table.usage().used()).isZero();
    }

    /** The text of .grants, as a reader who may search every directory sees it. */
    private static String grantsReport(RegionTree tree) {
        return new String(((VirtualFile) tree.lookup("/.grants")).open(false, new Credentials(0, 0, ImmutableSet.of(), true)).read(0, Integer.MAX_VALUE),
                UTF_8);
    }
}
