package org.gntfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/** Reads what a running mount publishes about itself as {@code user.gnt.*} on its root. */
final class MountFacts {
    private MountFacts() {}

    static String read(Path mountPoint, String key) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(mountPoint, UserDefinedFileAttributeView.class);
        String name = "gnt." + key;
        try {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            return new String(value.array(), 0, value.position(), UTF_8);
        } catch (IOException e) {
            throw GntfsException.causedBy(
                    Fault.NOT_FOUND, e, "%s is not a gntfs mount (no user.%s: %s)", mountPoint, name, e.getMessage());
        }
    }
}
