package org.gntfs.engine.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.gntfs.engine.abi.Bodies;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.InitIn;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.Timeout;
import org.gntfs.nativeio.NativeError;
import org.gntfs.nativeio.Posix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per request, with no mount: a request already read into a worker's
 * buffer is decoded, dispatched to a {@link TrivialFilesystem} and its reply framed, all that
 * a worker does between its read(2) and its write(2). Once for LOOKUP (a name to decode, an
 * entry to fill), GETATTR, and WRITE of 4 KiB and of 1 MiB (the payload copied into native
 * memory, as into granted pages). And once the whole round trip of a GETATTR through a fake
 * kernel over a socket pair: two system calls on each side and a thread woken each way, which
 * is what a request costs beyond the engine before the kernel's own FUSE work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EngineRequestBenchmark {
    private static final long EVERYTHING = -1L;

    /** A session established with a fake kernel, and a worker's exchange beside it. */
    @State(Scope.Thread)
    public static class Engine {
        final FakeKernel kernel = new FakeKernel();
        Session session;
        Exchange lookup;
        Exchange getattr;
        Exchange write4k;
        Exchange write1m;

        @Setup(Level.Trial)
        public void start() throws Exception {
            SessionConfig config = new SessionConfig(new Timeout(3600, 0), new Timeout(3600, 0), new Timeout(3600, 0),
                    1, false, SessionConfig.DEFAULT_MAX_PAGES, SessionConfig.BASE_FLAGS, false);
            session = Session.start(kernel.serverFd(), new TrivialFilesystem(), (request, failure) -> FuseError.EIO,
                    config, "bench");
            kernel.sendInit(new InitIn(7, 45, 131072, EVERYTHING), InitIn.SIZE);
            kernel.reply();
            session.awaitInit(Duration.ofSeconds(10));
            kernel.body().putLong(InHeader.SIZE, 0).putLong(InHeader.SIZE + 8, 0);
            byte[] name = "region\0".getBytes(StandardCharsets.UTF_8);
            lookup = prepared(Opcode.LOOKUP, 1, name.length, body -> body.put(InHeader.SIZE, name));
            getattr = prepared(Opcode.GETATTR, TrivialFilesystem.FILE, Bodies.GETATTR_SIZE, body -> {});
            write4k = prepared(Opcode.WRITE, TrivialFilesystem.FILE, Bodies.IO_SIZE + 4096, body -> writeIn(body, 4096));
            write1m = prepared(Opcode.WRITE, TrivialFilesystem.FILE, Bodies.IO_SIZE + (1 << 20),
                    body -> writeIn(body, 1 << 20));
        }

        private static void writeIn(ByteBuffer request, int size) {
            request.putLong(InHeader.SIZE + Bodies.IO_FH, 1).putLong(InHeader.SIZE + Bodies.IO_OFFSET, 0)
                    .putInt(InHeader.SIZE + Bodies.IO_LENGTH, size);
        }

        /** An exchange whose request buffer holds one request, as read(2) would have left it. */
        private Exchange prepared(int opcode, long node, int bodyLength, java.util.function.Consumer<ByteBuffer> body) {
            Exchange exchange = new Exchange(session);
            int length = InHeader.SIZE + bodyLength;
            ByteBuffer request = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
            InHeader.put(request, length, opcode, 42, node, 1000, 1000, 4242);
            body.accept(request);
            Posix.MEMORY.copyMemory(Posix.MEMORY.getDirectBufferAddress(request), exchange.requestAddress(), length);
            return exchange;
        }

        @TearDown(Level.Trial)
        public void end() throws InterruptedException {
            kernel.close();
            session.join(Duration.ofSeconds(10));
        }
    }

    @Benchmark
    public int lookup(Engine engine) {
        return engine.lookup.answer(InHeader.SIZE + 7);
    }

    @Benchmark
    public int getattr(Engine engine) {
        return engine.getattr.answer(InHeader.SIZE + Bodies.GETATTR_SIZE);
    }

    @Benchmark
    public int write4k(Engine engine) {
        return engine.write4k.answer(InHeader.SIZE + Bodies.IO_SIZE + 4096);
    }

    @Benchmark
    public int write1m(Engine engine) {
        return engine.write1m.answer(InHeader.SIZE + Bodies.IO_SIZE + (1 << 20));
    }

    /** GETATTR sent by the fake kernel and answered by the session's worker thread. */
    @Benchmark
    public int getattrRoundTrip(Engine engine) throws NativeError {
        engine.kernel.send(Opcode.GETATTR, TrivialFilesystem.FILE, Bodies.GETATTR_SIZE);
        return engine.kernel.reply().limit();
    }
}
