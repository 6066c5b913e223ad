package org.gntfs.it;

import static org.gntfs.protocol.Pages.PAGE_SIZE;

import com.google.common.base.Strings;
import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A seeded random sequence of file-system operations, one JSON object a line, for
 * {@code fs_executor.py}. The sequence does not depend on results, so the same seed drives every
 * tree the same way. Paths overlap on purpose (a file and a directory may want the same name),
 * handles and mappings are few so that they are reused, closed under each other, and outlive
 * their names; sizes and offsets cluster around page boundaries. Symbolic links (relative, so
 * that they mean the same in both trees, dangling or looping at times), hard links and fifos
 * share the same names.
 */
final class FsOpGenerator {
    private static final String NAME_255 = Strings.repeat("l", 255);
    private static final String NAME_256 = Strings.repeat("m", 256);
    private static final List<String> PATHS = ImmutableList.of(
            "a", "b", "c", "d", "d/a", "d/b", "d/e", "d/e/a", NAME_255, "d/" + NAME_255, NAME_256);
    private static final List<String> DIRECTORIES = ImmutableList.of("d", "d/e", "c", "d/b");
    private static final List<String> XATTR_NAMES = ImmutableList.of("user.a", "user.b", "user." + Strings.repeat("x", 200));
    private static final int HANDLES = 4;
    private static final int MAPPINGS = 3;
    private static final long[] BOUNDARIES = {
        0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE - 1, 2 * PAGE_SIZE, 2 * PAGE_SIZE + 1,
        3 * PAGE_SIZE, 4 * PAGE_SIZE, 5 * PAGE_SIZE + 7
    };
    private static final int[] MODES = {0600, 0644, 0640, 0755, 0700, 0604, 01777, 02755};

    private final SplittableRandom random;
    private final List<Weighted> choices = ImmutableList.of(
            new Weighted(18, this::open),
            new Weighted(3, () -> handleOp("close")),
            new Weighted(10, () -> handleOp("pread").with("off", offset()).with("len", length())),
            new Weighted(12, () -> handleOp("pwrite").with("off", offset()).with("len", length()).with("seed", seed())),
            new Weighted(4, () -> handleOp("write").with("len", length()).with("seed", seed())),
            new Weighted(2, () -> handleOp("lseek").with("off", offset()).with("whence", whence())),
            new Weighted(8, () -> handleOp("ftruncate").with("size", size())),
            new Weighted(4, () -> handleOp("fallocate").with("mode", fallocateMode()).with("off", offset()).with("len", length())),
            new Weighted(5, () -> handleOp("fstat")),
            new Weighted(1, () -> handleOp("fsync")),
            new Weighted(10, () -> handleOp("mmap").with("m", mapping()).with("write", mostly())),
            new Weighted(8, () -> mapOp("mwrite").with("off", offset()).with("len", length()).with("seed", seed())),
            new Weighted(5, () -> mapOp("mread").with("off", offset()).with("len", length())),
            new Weighted(2, () -> mapOp("msync")),
            new Weighted(2, () -> mapOp("munmap")),
            new Weighted(5, () -> pathOp("stat")),
            new Weighted(2, () -> pathOp("truncate").with("size", size())),
            new Weighted(6, () -> pathOp("rename").with("to", path())),
            new Weighted(5, () -> pathOp("unlink")),
            new Weighted(3, () -> new Op("mkdir").with("path", directory()).with("mode", mode())),
            new Weighted(2, () -> new Op("rmdir").with("path", directory())),
            new Weighted(3, () -> pathOp("chmod").with("mode", mode())),
            new Weighted(2, () -> pathOp("chown").with("uid", owner()).with("gid", owner())),
            new Weighted(3, () -> pathOp("utimensat").with("atime", time()).with("mtime", time())),
            new Weighted(3, () -> new Op("readdir").with("path", mostly() ? directory() : ".")),
            new Weighted(3, () -> pathOp("setxattr").with("name", xattrName()).with("len", xattrLength())
                    .with("seed", seed()).with("flags", xattrFlags())),
            new Weighted(2, () -> pathOp("getxattr").with("name", xattrName())),
            new Weighted(2, () -> pathOp("listxattr")),
            new Weighted(2, () -> pathOp("removexattr").with("name", xattrName())),
            new Weighted(3, this::symlink),
            new Weighted(3, () -> pathOp("link").with("to", path())),
            new Weighted(2, () -> pathOp("readlink")),
            new Weighted(2, () -> pathOp("lstat")),
            new Weighted(2, () -> pathOp("mkfifo").with("mode", mode())));
    private final int totalWeight = choices.stream().mapToInt(Weighted::weight).sum();

    FsOpGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    ImmutableList<String> sequence(int count) {
        ImmutableList.Builder<String> ops = ImmutableList.builderWithExpectedSize(count);
        for (int i = 0; i < count; i++) {
            ops.add(next().toJson());
        }
        return ops.build();
    }

    private Op next() {
        int pick = random.nextInt(totalWeight);
        for (Weighted choice : choices) {
            pick -= choice.weight();
            if (pick < 0) {
                return choice.op().get();
            }
        }
        throw new AssertionError("weights do not add up");
    }

    private Op open() {
        ImmutableList.Builder<String> flags = ImmutableList.builder();
        int access = random.nextInt(10);
        flags.add(access == 0 ? "RDONLY" : access == 1 ? "WRONLY" : "RDWR");
        if (random.nextInt(4) > 0) {
            flags.add("CREAT");
            if (random.nextInt(6) == 0) {
                flags.add("EXCL");
            }
        }
        if (random.nextInt(10) == 0) {
            flags.add("TRUNC");
        }
        if (random.nextInt(8) == 0) {
            flags.add("APPEND");
        }
        return handleOp("open").with("path", path()).with("flags", flags.build()).with("mode", mode());
    }

    private Op handleOp(String name) {
        return new Op(name).with("h", random.nextInt(HANDLES));
    }

    private Op mapOp(String name) {
        return new Op(name).with("m", mapping());
    }

    private Op pathOp(String name) {
        return new Op(name).with("path", path());
    }

    /** Four times in five. */
    private boolean mostly() {
        return random.nextInt(5) > 0;
    }

    /** None, XATTR_CREATE or XATTR_REPLACE, as fs_executor.py numbers them. */
    private int xattrFlags() {
        return random.nextInt(3);
    }

    /** Root or another user: a chown clears set-user-ID and set-group-ID bits on both. */
    private int owner() {
        return random.nextBoolean() ? 0 : 1000;
    }

    /**
     * 0, KEEP_SIZE and PUNCH_HOLE | KEEP_SIZE mostly; PUNCH_HOLE alone and COLLAPSE_RANGE, which
     * both refuse. Not ZERO_RANGE: tmpfs lacks it (docs/semantics.md), and TmpfsParityIT covers it.
     */
    private int fallocateMode() {
        int[] modes = {0, 0, 1, 1, 3, 3, 3, 2, 8};
        return modes[random.nextInt(modes.length)];
    }

    /** For utimensat: "NOW", "OMIT", or nanoseconds since the epoch (before 1970 too). */
    private Object time() {
        int pick = random.nextInt(4);
        return pick == 0 ? "NOW" : pick == 1 ? "OMIT" : (Object) (random.nextLong(-(1L << 40), 1L << 62));
    }

    private String whence() {
        String[] whences = {"SET", "CUR", "END"};
        return whences[random.nextInt(whences.length)];
    }

    private int mapping() {
        return random.nextInt(MAPPINGS);
    }

    private String path() {
        return PATHS.get(random.nextInt(PATHS.size()));
    }

    /**
     * A relative target, so that the link means the same in both trees: a name, a missing one, or
     * one up from a link made at least one level down. Moved to the top by a rename or a link, such
     * a link reaches one level above the tree, where the mount root and the oracle's directory
     * mirror each other; no chain of them climbs further, since links are made only in the tree.
     */
    private Op symlink() {
        String link = path();
        String target = random.nextInt(6) == 0 ? "missing" : path();
        if (link.contains("/") && random.nextBoolean()) {
            target = "../" + target;
        }
        return new Op("symlink").with("path", link).with("target", target);
    }

    private String directory() {
        return DIRECTORIES.get(random.nextInt(DIRECTORIES.size()));
    }

    private String xattrName() {
        return XATTR_NAMES.get(random.nextInt(XATTR_NAMES.size()));
    }

    private int xattrLength() {
        int[] lengths = {0, 1, 100, 1000, 4096};
        return lengths[random.nextInt(lengths.length)];
    }

    private int mode() {
        return MODES[random.nextInt(MODES.length)];
    }

    private int seed() {
        return random.nextInt(1 << 20);
    }

    /** A size near a page boundary, or anywhere in the first six pages. */
    private long size() {
        return random.nextInt(3) > 0 ? BOUNDARIES[random.nextInt(BOUNDARIES.length)] : random.nextInt(6 * PAGE_SIZE);
    }

    /** Like a size, sometimes a few pages further, past any end of file. */
    private long offset() {
        return size() + (random.nextInt(8) == 0 ? random.nextInt(1, 4) * PAGE_SIZE : 0);
    }

    private int length() {
        int[] lengths = {1, 7, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE};
        return random.nextBoolean() ? lengths[random.nextInt(lengths.length)] : random.nextInt(1, 3 * PAGE_SIZE);
    }

    private record Weighted(int weight, Supplier<Op> op) {}

    /** One operation: a name and its arguments, as JSON. */
    private static final class Op {
        private final Map<String, Object> fields = new TreeMap<>();

        Op(String name) {
            fields.put("op", name);
        }

        Op with(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        String toJson() {
            StringBuilder json = new StringBuilder("{");
            fields.forEach((key, value) -> {
                if (json.length() > 1) {
                    json.append(", ");
                }
                json.append(quote(key)).append(": ").append(encode(value));
            });
            return json.append('}').toString();
        }

        private static String encode(Object value) {
            if (value instanceof String text) {
                return quote(text);
            }
            if (value instanceof List<?> list) {
                return list.stream().map(Op::encode).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            }
            return value.toString();
        }

        /** The generator's strings are plain ASCII names: no character needs escaping. */
        private static String quote(String text) {
            return '"' + text + '"';
        }
    }
}
