package org.gntfs.fuse;

import org.gntfs.Errnos;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.engine.session.ErrorMapper;
import org.gntfs.engine.session.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where what the region model throws becomes the errno of a reply. */
final class GntfsErrors implements ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(GntfsErrors.class);

    @Override
    public int errnoOf(Request request, Throwable failure) {
        if (failure instanceof GntfsException e) {
            log.debug("op {} on node {}: {}", request.opcode(), request.nodeId(), e.getMessage());
            return Errnos.of(e.fault());
        }
        if (failure instanceof OutOfMemoryError) {
            // A full heap fails the request that found it; the workers and the mount go on.
            log.error("op {} on node {}: out of memory", request.opcode(), request.nodeId());
            return Errnos.of(Fault.OUT_OF_MEMORY);
        }
        log.error("op {} on node {} failed", request.opcode(), request.nodeId(), failure);
        return Errnos.EIO;
    }
}
