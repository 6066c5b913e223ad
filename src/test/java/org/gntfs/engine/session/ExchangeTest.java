package org.gntfs.engine.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.AttrOut;
import org.gntfs.engine.abi.Bodies;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.engine.abi.Timeout;
import org.gntfs.nativeio.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One request answered in a worker's buffers, with no system call: the framing of replies, no reply, errnos. */
class ExchangeTest {
    private static final int EIO = 5;
    private static final int EBUSY = 16;
    private static final int ENOMEM = 12;

    private final FakeKernel kernel = new FakeKernel();
    private final SessionConfig config = new SessionConfig(new Timeout(60, 0), new Timeout(30, 0), Timeout.NONE,
            1, false, 32, SessionConfig.BASE_FLAGS, false);
    private final Session session = Session.start(kernel.serverFd(), filesystem(), (request, failure) -> EBUSY,
            config, "exchange-test");
    private final Exchange exchange = new Exchange(session);

    @AfterEach
    void end() throws InterruptedException {
        kernel.close();
        session.join(Duration.ofSeconds(10));
    }

    @Test
    void aGetattr_isFramedWithItsUniqueAndLength_andTheAttributes() {
        int length = put(Opcode.GETATTR, 7, 99, Bodies.GETATTR_SIZE);
        int total = exchange.answer(length);
        ByteBuffer reply = reply(total);
        assertThat(total).isEqualTo(OutHeader.SIZE + AttrOut.SIZE);
        assertThat(OutHeader.length(reply)).isEqualTo(total);
        assertThat(OutHeader.error(reply)).isZero();
        assertThat(OutHeader.unique(reply)).isEqualTo(99);
        assertThat(reply.getLong(OutHeader.SIZE)).as("attr_valid").isEqualTo(30);
        assertThat(new Attr(reply, OutHeader.SIZE + 16).ino()).isEqualTo(7);
    }

    @Test
    void aForget_takesNoReply() {
        assertThat(exchange.answer(put(Opcode.FORGET, 7, 100, 8))).isEqualTo(Exchange.NO_REPLY);
    }

    @Test
    void whatTheFilesystemThrows_isAnsweredWithTheMappersErrno_andNoBody() {
        int total = exchange.answer(put(Opcode.UNLINK, 1, 101, 2));
        ByteBuffer reply = reply(total);
        assertThat(total).isEqualTo(OutHeader.SIZE);
        assertThat(OutHeader.error(reply)).isEqualTo(-EBUSY);
        assertThat(OutHeader.unique(reply)).isEqualTo(101);
    }

    @Test
    void aFullHeap_evenWhileNamingTheErrno_failsOnlyThatRequest_withEnomem() throws InterruptedException {
        FakeKernel full = new FakeKernel();
        Session session = Session.start(full.serverFd(), filesystem(), (request, failure) -> {
            throw new OutOfMemoryError("Java heap space");
        }, config, "exchange-test-full");
        try {
            Exchange exchange = new Exchange(session);
            int total = exchange.answer(put(exchange, Opcode.UNLINK, 1, 103, 2));
            ByteBuffer reply = reply(exchange, total);

            assertThat(total).isEqualTo(OutHeader.SIZE);
            assertThat(OutHeader.error(reply)).isEqualTo(-ENOMEM);
            assertThat(OutHeader.unique(reply)).isEqualTo(103);
        } finally {
            full.close();
            session.join(Duration.ofSeconds(10));
        }
    }

    @Test
    void anUnservedOpcode_isEnosys() {
        int total = exchange.answer(put(Opcode.FSYNC, 1, 102, 16));
        assertThat(OutHeader.error(reply(total))).isEqualTo(-FuseError.ENOSYS);
    }

    /** Puts a request with a zeroed body of {@code bodyLength} bytes where read(2) would leave it. */
    private int put(int opcode, long node, long unique, int bodyLength) {
        return put(exchange, opcode, node, unique, bodyLength);
    }

    private static int put(Exchange exchange, int opcode, long node, long unique, int bodyLength) {
        int length = InHeader.SIZE + bodyLength;
        ByteBuffer request = ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder());
        InHeader.put(request, length, opcode, unique, node, 1000, 1000, 4242);
        Posix.MEMORY.copyMemory(Posix.MEMORY.getDirectBufferAddress(request), exchange.requestAddress(), length);
        return length;
    }

    private ByteBuffer reply(int total) {
        return reply(exchange, total);
    }

    private static ByteBuffer reply(Exchange exchange, int total) {
        ByteBuffer reply = ByteBuffer.allocateDirect(total).order(ByteOrder.nativeOrder());
        Posix.MEMORY.copyMemory(exchange.replyAddress(), Posix.MEMORY.getDirectBufferAddress(reply), total);
        return reply;
    }

    private static FuseFilesystem filesystem() {
        return (FuseFilesystem) Proxy.newProxyInstance(ExchangeTest.class.getClassLoader(),
                new Class<?>[] {FuseFilesystem.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getattr" -> ((Attr) args[3]).ino((Long) args[1]).mode(0100644);
                        case "unlink" -> throw new IllegalStateException("busy");
                        default -> { }
                    }
                    return null;
                });
    }
}
