package org.gntfs.grant.xen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gntfs.Fault;
import org.gntfs.GntfsException;

/** Which Xen domain this kernel runs in, as far as a local peer needs to know. */
final class XenDomain {
    /** xenfs lists "control_d" here in the control domain, dom0. */
    private static final Path CAPABILITIES = Path.of("/proc/xen/capabilities");

    private XenDomain() {}

    /**
     * This domain's id. Only dom0 can tell without xenstore, which a domain reaches through a
     * daemon in dom0; a peer elsewhere maps grants with libxengnttab, which the grantee's tools have.
     */
    static int current() {
        try {
            if (Files.readString(CAPABILITIES).contains("control_d")) {
                return 0;
            }
        } catch (IOException e) {
            throw GntfsException.causedBy(Fault.NOT_SUPPORTED, e,
                    "cannot read %s: is xenfs mounted on /proc/xen? (%s)", CAPABILITIES, e.getMessage());
        }
        throw GntfsException.of(Fault.NOT_SUPPORTED,
                "gntfs peer maps Xen grants in dom0 only; in another domain map them with libxengnttab (docs/xen.md)");
    }
}
