package org.gntfs.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.gntfs.client.GntRegion;
import org.gntfs.client.MountFacts;
import org.gntfs.grant.GrantBackendProviders;
import org.gntfs.grant.GrantPeer;
import org.gntfs.nativeio.Posix;

/**
 * One side of a ring ping-pong on a shared page, for src/bench/ring-pingpong.sh: the initiator
 * stores a sequence number at byte 0 and spins until the responder echoes it at byte 64. The
 * page is reached one of three ways, so that the same loop runs over each:
 *
 * <pre>
 * direct PATH             the region's granted pages through the direct-mapping socket
 * peer MOUNTPOINT GREF    the grantee's mapping, through the mount's own backend (as gntfs peer)
 * file PATH               a plain shared mapping of a file, e.g. on /dev/shm
 * </pre>
 *
 * {@code RingPingPong initiator ROUNDS WAY ARGS} prints "p50_ns p99_ns mean_ns";
 * {@code RingPingPong responder WAY ARGS} echoes until it reads -1.
 */
public final class RingPingPong {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int PING = 0;
    private static final int PONG = 64;
    private static final int WARM_UP = 100_000;

    private RingPingPong() {}

    public static void main(String[] args) throws IOException {
        boolean initiator = args[0].equals("initiator");
        int rounds = initiator ? Integer.parseInt(args[1]) : 0;
        String[] way = Arrays.copyOfRange(args, initiator ? 2 : 1, args.length);
        try (Page page = Page.open(way)) {
            ByteBuffer ring = Posix.MEMORY.newDirectByteBuffer(page.address(), 4096).order(ByteOrder.nativeOrder());
            if (initiator) {
                initiate(ring, rounds);
            } else {
                respond(ring);
            }
        }
    }

    private static void initiate(ByteBuffer ring, int rounds) {
        long[] times = new long[rounds];
        long sequence = (long) LONGS.getVolatile(ring, PONG);
        for (int i = -WARM_UP; i < rounds; i++) {
            long start = System.nanoTime();
            sequence++;
            LONGS.setVolatile(ring, PING, sequence);
            while ((long) LONGS.getVolatile(ring, PONG) != sequence) {
                Thread.onSpinWait();
            }
            if (i >= 0) {
                times[i] = System.nanoTime() - start;
            }
        }
        LONGS.setVolatile(ring, PING, -1L);
        Arrays.sort(times);
        long mean = Arrays.stream(times).sum() / rounds;
        System.out.printf("%d %d %d%n", times[rounds / 2], times[rounds * 99 / 100], mean);
    }

    private static void respond(ByteBuffer ring) {
        long seen = (long) LONGS.getVolatile(ring, PONG);
        while (true) {
            long sequence = (long) LONGS.getVolatile(ring, PING);
            if (sequence == -1L) {
                LONGS.setVolatile(ring, PING, 0L);
                LONGS.setVolatile(ring, PONG, 0L);
                return;
            }
            if (sequence != seen) {
                LONGS.setVolatile(ring, PONG, sequence);
                seen = sequence;
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The ring's page, however it was reached. */
    private interface Page extends AutoCloseable {
        long address();

        @Override
        void close() throws IOException;

        static Page open(String[] way) throws IOException {
            switch (way[0]) {
                case "direct" -> {
                    GntRegion region = GntRegion.open(Path.of(way[1]));
                    return new Page() {
                        public long address() {
                            return region.address();
                        }

                        public void close() throws IOException {
                            region.close();
                        }
                    };
                }
                case "peer" -> {
                    Path mountPoint = Path.of(way[1]);
                    GrantPeer peer = GrantBackendProviders.attachPeer(mountPoint, name -> MountFacts.read(mountPoint, name));
                    GrantPeer.PeerPage mapped = peer.map(0, Integer.parseInt(way[2]), true);
                    return new Page() {
                        public long address() {
                            return mapped.address();
                        }

                        public void close() {
                            mapped.close();
                            peer.close();
                        }
                    };
                }
                case "file" -> {
                    int fd = Posix.open(Path.of(way[1]), Posix.O_RDWR, 0);
                    long address = Posix.mmapShared(fd, 0, 4096);
                    Posix.close(fd);
                    return new Page() {
                        public long address() {
                            return address;
                        }

                        public void close() throws IOException {
                            Posix.munmap(address, 4096);
                        }
                    };
                }
                default -> throw new IllegalArgumentException("no way " + way[0] + ": direct, peer or file");
            }
        }
    }
}
