package org.gntfs.engine.session;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.List;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.AttrOut;
import org.gntfs.engine.abi.Bodies;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.abi.InHeader;
import org.gntfs.engine.abi.InitFlags;
import org.gntfs.engine.abi.OpenOut;
import org.gntfs.engine.abi.Opcode;
import org.gntfs.engine.abi.OutHeader;
import org.gntfs.engine.abi.SetattrIn;

/**
 * Decodes one request's body, calls the filesystem and writes the reply's body: one worker's
 * request and reply buffers, and one method per opcode. Returns the reply body's length, or
 * {@link #NO_REPLY}; whatever the filesystem throws goes up to the {@link Exchange}, which answers
 * it as an errno.
 */
final class Operations {
    static final int NO_REPLY = -1;

    private static final int BODY = InHeader.SIZE;
    private static final int REPLY = OutHeader.SIZE;

    private final Session session;
    private final FuseFilesystem fs;
    private final ByteBuffer in;
    private final long inAddress;
    private final ByteBuffer out;
    private final long outAddress;
    private final Opened opened = new Opened();
    private final DirectoryFill fill;

    Operations(Session session, ByteBuffer in, long inAddress, ByteBuffer out, long outAddress) {
        this.session = session;
        this.fs = session.filesystem();
        this.in = in;
        this.inAddress = inAddress;
        this.out = out;
        this.outAddress = outAddress;
        SessionConfig config = session.config();
        this.fill = new DirectoryFill(out, REPLY, config.entryTimeout(), config.attrTimeout());
    }

    int serve(Request request, int length) {
        long node = request.nodeId();
        return switch (request.opcode()) {
            case Opcode.INIT -> session.init(in, BODY, length - BODY, out, REPLY);
            case Opcode.LOOKUP -> lookup(request, node);
            case Opcode.FORGET -> {
                fs.forget(node, in.getLong(BODY + Bodies.FORGET_NLOOKUP));
                yield NO_REPLY;
            }
            case Opcode.BATCH_FORGET -> batchForget();
            case Opcode.GETATTR -> {
                boolean viaHandle = (in.getInt(BODY + Bodies.GETATTR_FLAGS) & Bodies.GETATTR_FH_FLAG) != 0;
                fs.getattr(request, node, viaHandle ? in.getLong(BODY + Bodies.GETATTR_FH) : -1, attrReply());
                yield AttrOut.SIZE;
            }
            case Opcode.SETATTR -> {
                fs.setattr(request, node, new SetattrIn(in, BODY), attrReply());
                yield AttrOut.SIZE;
            }
            case Opcode.MKNOD -> {
                fs.mknod(request, node, name(BODY + Bodies.MKNOD_SIZE), in.getInt(BODY), in.getInt(BODY + Bodies.MKNOD_RDEV),
                        entryReply());
                yield EntryOut.SIZE;
            }
            case Opcode.MKDIR -> {
                fs.mkdir(request, node, name(BODY + Bodies.MKDIR_SIZE), in.getInt(BODY), entryReply());
                yield EntryOut.SIZE;
            }
            case Opcode.UNLINK -> {
                fs.unlink(request, node, name(BODY));
                yield 0;
            }
            case Opcode.RMDIR -> {
                fs.rmdir(request, node, name(BODY));
                yield 0;
            }
            case Opcode.RENAME -> rename(request, node, Bodies.RENAME_SIZE, 0);
            case Opcode.RENAME2 -> rename(request, node, Bodies.RENAME2_SIZE, in.getInt(BODY + Bodies.RENAME2_FLAGS));
            case Opcode.LINK -> {
                fs.link(request, in.getLong(BODY), node, name(BODY + Bodies.LINK_SIZE), entryReply());
                yield EntryOut.SIZE;
            }
            case Opcode.SYMLINK -> {
                int end = nul(BODY);
                fs.symlink(request, node, decode(BODY, end), bytes(end + 1, nul(end + 1)), entryReply());
                yield EntryOut.SIZE;
            }
            case Opcode.READLINK -> {
                byte[] target = fs.readlink(request, node);
                out.put(REPLY, target);
                yield target.length;
            }
            case Opcode.OPEN -> {
                opened.reset();
                fs.open(request, node, in.getInt(BODY), in.getInt(BODY + 4), opened);
                yield openReply(REPLY);
            }
            case Opcode.CREATE -> {
                opened.reset();
                fs.create(request, node, name(BODY + Bodies.CREATE_SIZE), in.getInt(BODY), in.getInt(BODY + 4),
                        in.getInt(BODY + 12), entryReply(), opened);
                yield EntryOut.SIZE + openReply(REPLY + EntryOut.SIZE);
            }
            case Opcode.READ -> fs.read(request, node, in.getLong(BODY + Bodies.IO_FH), in.getLong(BODY + Bodies.IO_OFFSET),
                    Math.min(in.getInt(BODY + Bodies.IO_LENGTH), session.config().maxPayload()), outAddress + REPLY);
            case Opcode.WRITE -> write(request, node);
            case Opcode.FALLOCATE -> {
                fs.fallocate(request, node, in.getLong(BODY + Bodies.FALLOCATE_FH), in.getLong(BODY + Bodies.FALLOCATE_OFFSET),
                        in.getLong(BODY + Bodies.FALLOCATE_LENGTH), in.getInt(BODY + Bodies.FALLOCATE_MODE));
                yield 0;
            }
            case Opcode.RELEASE -> {
                fs.release(request, node, in.getLong(BODY));
                yield 0;
            }
            case Opcode.OPENDIR -> {
                opened.reset();
                fs.opendir(request, node, in.getInt(BODY), opened);
                yield openReply(REPLY);
            }
            case Opcode.READDIR, Opcode.READDIRPLUS -> {
                fill.reset(Math.min(in.getInt(BODY + Bodies.IO_LENGTH), session.config().maxPayload()),
                        request.opcode() == Opcode.READDIRPLUS);
                fs.readdir(request, node, in.getLong(BODY + Bodies.IO_FH), in.getLong(BODY + Bodies.IO_OFFSET), fill);
                yield fill.length();
            }
            case Opcode.RELEASEDIR -> {
                fs.releasedir(request, node, in.getLong(BODY));
                yield 0;
            }
            case Opcode.STATFS -> {
                fs.statfs(request, node).write(out, REPLY);
                yield org.gntfs.engine.abi.Kstatfs.SIZE;
            }
            case Opcode.SETXATTR -> setxattr(request, node);
            case Opcode.GETXATTR -> sized(in.getInt(BODY), fs.getxattr(request, node, name(BODY + Bodies.GETXATTR_SIZE)));
            case Opcode.LISTXATTR -> sized(in.getInt(BODY), joined(fs.listxattr(request, node)));
            case Opcode.REMOVEXATTR -> {
                fs.removexattr(request, node, name(BODY));
                yield 0;
            }
            case Opcode.DESTROY -> 0;
            default -> throw new FuseError(FuseError.ENOSYS, "opcode " + request.opcode() + " is not served");
        };
    }

    private int lookup(Request request, long parent) {
        EntryOut entry = entryReply();
        try {
            fs.lookup(request, parent, name(BODY), entry);
        } catch (FuseError e) {
            // "No such name", cached for the negative timeout: a success with node id 0.
            if (e.errno() != FuseError.ENOENT || session.config().negativeTimeout().equals(org.gntfs.engine.abi.Timeout.NONE)) {
                throw e;
            }
            entry.node(0, 0).validity(session.config().negativeTimeout(), org.gntfs.engine.abi.Timeout.NONE)
                    .attr().clear();
        }
        return EntryOut.SIZE;
    }

    private int batchForget() {
        int count = in.getInt(BODY);
        for (int i = 0, at = BODY + Bodies.BATCH_FORGET_SIZE; i < count; i++, at += Bodies.FORGET_ONE_SIZE) {
            fs.forget(in.getLong(at), in.getLong(at + 8));
        }
        return NO_REPLY;
    }

    private int rename(Request request, long parent, int bodySize, int flags) {
        int nameAt = BODY + bodySize;
        int end = nul(nameAt);
        fs.rename(request, parent, decode(nameAt, end), in.getLong(BODY), name(end + 1), flags);
        return 0;
    }

    private int write(Request request, long node) {
        int size = in.getInt(BODY + Bodies.IO_LENGTH);
        int stored = fs.write(request, node, in.getLong(BODY + Bodies.IO_FH), in.getLong(BODY + Bodies.IO_OFFSET), size,
                inAddress + BODY + Bodies.IO_SIZE, in.getInt(BODY + Bodies.IO_FLAGS));
        out.putInt(REPLY, Math.min(stored, size)).putInt(REPLY + 4, 0);
        return Bodies.WRITE_OUT_SIZE;
    }

    private int setxattr(Request request, long node) {
        int size = in.getInt(BODY);
        int header = session.has(InitFlags.SETXATTR_EXT) ? Bodies.SETXATTR_SIZE : Bodies.SETXATTR_COMPAT_SIZE;
        int nameAt = BODY + header;
        int end = nul(nameAt);
        byte[] value = new byte[size];
        in.get(end + 1, value);
        fs.setxattr(request, node, decode(nameAt, end), value, in.getInt(BODY + 4));
        return 0;
    }

    /** An xattr answer: its length for a size probe, the bytes if they fit, else ERANGE. */
    private int sized(int size, byte[] value) {
        if (size == 0) {
            out.putInt(REPLY, value.length).putInt(REPLY + 4, 0);
            return Bodies.GETXATTR_OUT_SIZE;
        }
        if (value.length > size) {
            throw new FuseError(FuseError.ERANGE, value.length + " bytes do not fit in " + size);
        }
        out.put(REPLY, value);
        return value.length;
    }

    private static byte[] joined(List<String> names) {
        StringBuilder list = new StringBuilder();
        names.forEach(name -> list.append(name).append('\0'));
        return list.toString().getBytes(UTF_8);
    }

    private Attr attrReply() {
        return AttrOut.put(out, REPLY, session.config().attrTimeout()).clear();
    }

    private EntryOut entryReply() {
        EntryOut entry = new EntryOut(out, REPLY);
        entry.node(0, 0).validity(session.config().entryTimeout(), session.config().attrTimeout()).attr().clear();
        return entry;
    }

    private int openReply(int at) {
        OpenOut.put(out, at, opened.handle(), opened.flags());
        return OpenOut.SIZE;
    }

    private String name(int at) {
        return decode(at, nul(at));
    }

    private int nul(int at) {
        int end = at;
        while (in.get(end) != 0) {
            end++;
        }
        return end;
    }

    private String decode(int from, int to) {
        return new String(bytes(from, to), UTF_8);
    }

    private byte[] bytes(int from, int to) {
        byte[] bytes = new byte[to - from];
        in.get(from, bytes);
        return bytes;
    }
}
