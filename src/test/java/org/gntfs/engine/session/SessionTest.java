package org.gntfs.engine.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gntfs.engine.abi.Bodies;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.InitFlags;
import org.gntfs.engine.abi.InitIn;
import org.gntfs.engine.abi.InitOut;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.engine.abi.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session against a fake kernel over a socket pair: INIT for old and new kernels, replies, errors, the end. */
class SessionTest {
    private static final long EVERYTHING = 0xFFFF_FFFF_FFFF_FFFFL;
    private static final int ENOSYS = 38;
    private static final int EPROTO = 71;
    private static final int EXDEV = 18;

    private final FakeKernel kernel = new FakeKernel();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final SessionConfig config = new SessionConfig(new Timeout(60, 0), new Timeout(30, 0), new Timeout(10, 0),
            2, false, 256, SessionConfig.BASE_FLAGS, false);
    private Session session;

    @AfterEach
    void end() throws InterruptedException {
        kernel.close();
        if (session != null) {
            session.join(Duration.ofSeconds(10));
            assertThat(session.isRunning()).as("the session ends when the kernel hangs up").isFalse();
        }
    }

    @Test
    void aCurrentKernel_getsWhatItOffersOfWhatWeWant_and1MiBRequests() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 45, 131072, EVERYTHING), InitIn.SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.length(reply)).isEqualTo(16 + InitOut.SIZE).isEqualTo(reply.limit());
        assertThat(OutHeader.error(reply)).isZero();
        InitOut agreed = InitOut.read(reply, 16, InitOut.SIZE);
        assertThat(agreed.minor()).isEqualTo(45);
        assertThat(agreed.flags()).as("wanted, never the offer echoed").isEqualTo(SessionConfig.BASE_FLAGS);
        assertThat(agreed.flags() & InitFlags.WRITEBACK_CACHE).isZero();
        assertThat(agreed.maxWrite()).isEqualTo(1 << 20);
        assertThat(agreed.maxPages()).isEqualTo(256);
        assertThat(agreed.maxReadahead()).as("never above the kernel's").isEqualTo(131072);
        session.awaitInit(Duration.ofSeconds(5));
        assertThat(session.minor()).isEqualTo(45);
        assertThat(session.has(InitFlags.DO_READDIRPLUS)).isTrue();
    }

    @Test
    void aKernelBeforeMaxPages_andBefore7_23_getsTheShortReply_and32PageRequests() throws Exception {
        start();
        long offered = InitFlags.ASYNC_READ | InitFlags.BIG_WRITES | InitFlags.ATOMIC_O_TRUNC | InitFlags.POSIX_LOCKS;
        kernel.sendInit(new InitIn(7, 19, 131072, offered), InitIn.COMPAT_SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.length(reply)).isEqualTo(16 + InitOut.COMPAT_22_SIZE);
        InitOut agreed = InitOut.read(reply, 16, InitOut.COMPAT_22_SIZE);
        assertThat(agreed.minor()).isEqualTo(19);
        assertThat(agreed.flags()).isEqualTo(InitFlags.ASYNC_READ | InitFlags.BIG_WRITES | InitFlags.ATOMIC_O_TRUNC);
        assertThat(agreed.maxWrite()).isEqualTo(32 * 4096);
        session.awaitInit(Duration.ofSeconds(5));
        assertThat(session.has(InitFlags.SETXATTR_EXT)).isFalse();
    }

    @Test
    void aKernelBefore7_36_sendsNoFlags2_butMayOfferMaxPages() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 31, 131072, EVERYTHING & 0xFFFF_FFFFL & ~InitFlags.INIT_EXT), InitIn.COMPAT_SIZE);
        InitOut agreed = InitOut.read(kernel.reply(), 16, InitOut.SIZE);
        assertThat(agreed.minor()).isEqualTo(31);
        assertThat(agreed.flags() & InitFlags.INIT_EXT).isZero();
        assertThat(agreed.flags() & InitFlags.MAX_PAGES).isNotZero();
        assertThat(agreed.maxPages()).isEqualTo(256);
    }

    @Test
    void aNewerMajor_getsTheVersionAlone_thenASecondInitSetsUp() throws Exception {
        start();
        kernel.sendInit(new InitIn(8, 0, 0, 0), InitIn.SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.length(reply)).isEqualTo(16 + 8);
        assertThat(reply.getInt(16)).isEqualTo(7);
        assertThat(reply.getInt(20)).isEqualTo(Negotiation.OUR_MINOR);
        kernel.sendInit(new InitIn(7, 40, 0, EVERYTHING), InitIn.SIZE);
        assertThat(InitOut.read(kernel.reply(), 16, InitOut.SIZE).minor()).isEqualTo(40);
        session.awaitInit(Duration.ofSeconds(5));
    }

    @Test
    void aKernelTooOld_isRefusedWithEproto_andTheMountReportsIt() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 8, 0, 0), InitIn.COMPAT_SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.length(reply)).isEqualTo(16);
        assertThat(OutHeader.error(reply)).isEqualTo(-EPROTO);
        assertThatThrownBy(() -> session.awaitInit(Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessageContaining("7.8");
    }

    @Test
    void requests_areAnsweredByUnique_forgetsAreNot_andFailuresBecomeErrnos() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 45, 0, EVERYTHING), InitIn.SIZE);
        kernel.reply();

        long lookup = kernel.send(Opcode.LOOKUP, 1, kernel.putName(0, "file"));
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.unique(reply)).isEqualTo(lookup);
        assertThat(OutHeader.length(reply)).isEqualTo(16 + EntryOut.SIZE);
        assertThat(reply.getLong(16)).as("node id").isEqualTo(5);
        assertThat(reply.getLong(32)).as("entry_valid").isEqualTo(60);
        assertThat(reply.getLong(40)).as("attr_valid").isEqualTo(30);
        assertThat(reply.getInt(16 + 40 + 60)).as("mode").isEqualTo(0100644);

        long absent = kernel.send(Opcode.LOOKUP, 1, kernel.putName(0, "absent"));
        reply = kernel.reply();
        assertThat(OutHeader.unique(reply)).isEqualTo(absent);
        assertThat(OutHeader.error(reply)).as("a cached negative entry, not ENOENT").isZero();
        assertThat(reply.getLong(16)).isZero();
        assertThat(reply.getLong(32)).isEqualTo(10);

        kernel.body().putLong(40, 1);
        kernel.send(Opcode.FORGET, 5, 8);
        long unknown = kernel.send(Opcode.FSYNC, 5, 16);
        reply = kernel.reply();
        assertThat(OutHeader.unique(reply)).as("FORGET took no reply").isEqualTo(unknown);
        assertThat(OutHeader.error(reply)).isEqualTo(-ENOSYS);
        assertThat(OutHeader.length(reply)).isEqualTo(16);

        long failing = kernel.send(Opcode.UNLINK, 1, kernel.putName(0, "boom"));
        reply = kernel.reply();
        assertThat(OutHeader.unique(reply)).isEqualTo(failing);
        assertThat(OutHeader.error(reply)).as("the mapper's errno").isEqualTo(-EXDEV);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (calls.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(calls).as("two workers: a FORGET, with no reply to wait for, may come last").containsExactlyInAnyOrder("lookup file", "lookup absent", "forget 5 1", "unlink boom");
    }

    @Test
    void fallocate_isDecodedFromItsBody_andAnsweredEmpty() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 45, 0, EVERYTHING), InitIn.SIZE);
        kernel.reply();
        ByteBuffer body = kernel.body();
        body.putLong(40 + Bodies.FALLOCATE_FH, 7).putLong(40 + Bodies.FALLOCATE_OFFSET, (1L << 40) + 3)
                .putLong(40 + Bodies.FALLOCATE_LENGTH, 4097).putInt(40 + Bodies.FALLOCATE_MODE, 0x11).putInt(40 + 28, -1);
        long unique = kernel.send(Opcode.FALLOCATE, 5, Bodies.FALLOCATE_SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.unique(reply)).isEqualTo(unique);
        assertThat(OutHeader.error(reply)).isZero();
        assertThat(OutHeader.length(reply)).as("fallocate answers nothing but success").isEqualTo(16);
        assertThat(calls).containsExactly("fallocate node 5 fh 7 at " + ((1L << 40) + 3) + " length 4097 mode 0x11");
    }

    @Test
    void fallocate_isEnosys_forAFilesystemThatKeepsTheDefault() throws Exception {
        session = Session.start(kernel.serverFd(), filesystem(false), (request, failure) -> EXDEV, config, "test-fuse");
        kernel.sendInit(new InitIn(7, 45, 0, EVERYTHING), InitIn.SIZE);
        kernel.reply();
        kernel.send(Opcode.FALLOCATE, 5, Bodies.FALLOCATE_SIZE);
        ByteBuffer reply = kernel.reply();
        assertThat(OutHeader.error(reply)).as("the kernel then answers EOPNOTSUPP itself").isEqualTo(-ENOSYS);
    }

    @Test
    void notifications_goOutUnasked_withUniqueZeroAndTheirCode() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 45, 0, EVERYTHING), InitIn.SIZE);
        kernel.reply();
        session.notifier().invalidateInode(5, 0, -1);
        ByteBuffer message = kernel.reply();
        assertThat(OutHeader.unique(message)).isZero();
        assertThat(OutHeader.error(message)).as("NOTIFY_INVAL_INODE").isEqualTo(2);
        assertThat(OutHeader.length(message)).isEqualTo(16 + 24).isEqualTo(message.limit());
        assertThat(message.getLong(16)).isEqualTo(5);
        assertThat(message.getLong(32)).isEqualTo(-1);
        session.notifier().invalidateEntry(1, "file");
        message = kernel.reply();
        assertThat(OutHeader.error(message)).as("NOTIFY_INVAL_ENTRY").isEqualTo(3);
        assertThat(OutHeader.length(message)).isEqualTo(16 + 16 + 4 + 1);
        assertThat(message.getLong(16)).isEqualTo(1);
        assertThat(message.getInt(24)).as("namelen").isEqualTo(4);
        assertThat(message.get(32)).isEqualTo((byte) 'f');
        assertThat(message.get(36)).as("NUL").isZero();
    }

    @Test
    void theEndOfTheConnection_destroysTheFilesystem() throws Exception {
        start();
        kernel.sendInit(new InitIn(7, 45, 0, EVERYTHING), InitIn.SIZE);
        kernel.reply();
        kernel.close();
        session.join(Duration.ofSeconds(10));
        assertThat(calls).contains("destroy");
        assertThat(session.wasAborted()).isFalse();
    }

    private void start() {
        session = Session.start(kernel.serverFd(), filesystem(true), (request, failure) -> EXDEV, config, "test-fuse");
    }

    /**
     * A filesystem with one file, "file" (node 5), that fails "boom" with a runtime exception,
     * records fallocate calls or keeps the interface's default, and knows nothing else.
     */
    private FuseFilesystem filesystem(boolean servesFallocate) {
        return (FuseFilesystem) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FuseFilesystem.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "lookup" -> {
                            String name = (String) args[2];
                            calls.add("lookup " + name);
                            if (!name.equals("file")) {
                                throw new FuseError(FuseError.ENOENT, name);
                            }
                            ((EntryOut) args[3]).node(5, 0).attr().ino(5).mode(0100644).nlink(1);
                        }
                        case "forget" -> calls.add("forget " + args[0] + " " + args[1]);
                        case "unlink" -> {
                            calls.add("unlink " + args[2]);
                            throw new IllegalStateException("boom");
                        }
                        case "destroy" -> calls.add("destroy");
                        case "fallocate" -> {
                            if (!servesFallocate) {
                                return InvocationHandler.invokeDefault(proxy, method, args);
                            }
                            calls.add(String.format("fallocate node %d fh %d at %d length %d mode %#x",
                                    args[1], args[2], args[3], args[4], args[5]));
                        }
                        default -> throw new FuseError(FuseError.ENOSYS, method.getName());
                    }
                    return null;
                });
    }
}
