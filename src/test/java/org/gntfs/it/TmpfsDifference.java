package org.gntfs.it;

import static org.gntfs.protocol.Pages.PAGE_SIZE;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where gntfs answers differently from tmpfs on purpose: each difference is documented in
 * docs/semantics.md ("Differences from tmpfs"). A result line of fs_executor.py is a list of
 * tokens, {@code key=value} or bare; each difference rewrites the tokens it concerns on both
 * sides, and checks the gntfs side's own rule where it has one, so that only the documented
 * difference is forgiven.
 */
enum TmpfsDifference {
    /**
     * st_blocks: every page of a region is granted, so gntfs reports pages × 8 even for bytes
     * never written; tmpfs counts the pages it allocated (files are sparse there).
     */
    BLOCKS {
        @Override
        void apply(Map<String, String> tokens, boolean onGntfs) {
            String blocks = tokens.get("blocks");
            if (blocks == null) {
                return;
            }
            if (onGntfs && "reg".equals(tokens.get("type"))) {
                long size = Long.parseLong(tokens.get("size"));
                long expected = (size + PAGE_SIZE - 1) / PAGE_SIZE * (PAGE_SIZE / 512);
                if (Long.parseLong(blocks) != expected) {
                    return;
                }
            }
            tokens.remove("blocks");
        }
    },
    /** A directory's st_size: tmpfs counts its entries, gntfs says 0. */
    DIRECTORY_SIZE {
        @Override
        void apply(Map<String, String> tokens, boolean onGntfs) {
            if ("dir".equals(tokens.get("type"))) {
                tokens.remove("size");
            }
        }
    },
    /** listxattr on gntfs also names the user.gnt.* attributes that describe a region's grant. */
    GRANT_ATTRIBUTES {
        @Override
        void apply(Map<String, String> tokens, boolean onGntfs) {
            String names = tokens.get("names");
            if (onGntfs && names != null) {
                tokens.put("names", Stream.of(names.split(","))
                        .filter(name -> !name.isEmpty() && !name.startsWith("user.gnt."))
                        .collect(Collectors.joining(",")));
            }
        }
    };

    /** Rewrites one side's tokens so that this difference no longer shows. */
    void apply(Map<String, String> tokens, boolean onGntfs) {}

    /** Whether two results agree but for the intended differences. */
    static boolean agree(String onGntfs, String onTmpfs) {
        String gntfs = normalize(onGntfs, true);
        String tmpfs = normalize(onTmpfs, false);
        return gntfs.equals(tmpfs);
    }

    /** The line with every intended difference taken out. */
    private static String normalize(String line, boolean onGntfs) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String token : line.split(" ")) {
            int equals = token.indexOf('=');
            tokens.put(equals < 0 ? token : token.substring(0, equals), equals < 0 ? null : token.substring(equals + 1));
        }
        for (TmpfsDifference difference : values()) {
            difference.apply(tokens, onGntfs);
        }
        return tokens.entrySet().stream()
                .map(token -> token.getValue() == null ? token.getKey() : token.getKey() + "=" + token.getValue())
                .collect(Collectors.joining(" "));
    }
}
