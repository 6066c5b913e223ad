package org.gntfs.region;

import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.grant.GrantAllocation;
import org.gntfs.grant.GrantBackend;
import org.gntfs.grant.GrantSpace;
import org.gntfs.grant.LentDescriptors;
import org.gntfs.grant.PoolUsage;
import org.gntfs.grant.UnmapNotify;

/** A backend that passes every call to another until told to fail a kind of call, as a broken gntalloc would. */
public final class FailingBackend implements GrantBackend {
    public enum Call { ALLOCATE, RELEASE, SET_UNMAP_NOTIFY }

    private final GrantBackend delegate;
    private final Set<Call> failing = EnumSet.noneOf(Call.class);
    private final Map<Call, Integer> failures = new EnumMap<>(Call.class);

    public FailingBackend(GrantBackend delegate) {
        this.delegate = delegate;
    }

    /** From now on, calls of that kind fail with an I/O error and change nothing. */
    public synchronized void fail(Call call) {
        failing.add(call);
    }

    public synchronized void recover() {
        failing.clear();
    }

    /** How many calls of that kind have failed so far. */
    public synchronized int failures(Call call) {
        return failures.getOrDefault(call, 0);
    }

    private synchronized void maybeFail(Call call) {
        if (failing.contains(call)) {
            failures.merge(call, 1, Integer::sum);
            throw GntfsException.of(Fault.IO_ERROR, "injected failure of %s", call);
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public GrantSpace openSpace() {
        GrantSpace space = delegate.openSpace();
        return new GrantSpace() {
            @Override
            public GrantAllocation allocate(int domid, boolean writable, int pages) {
                maybeFail(Call.ALLOCATE);
                return space.allocate(domid, writable, pages);
            }

            @Override
            public void release(GrantAllocation allocation, int first, int count) {
                maybeFail(Call.RELEASE);
                space.release(allocation, first, count);
            }

            @Override
            public void setUnmapNotify(GrantAllocation allocation, int page, UnmapNotify notify) {
                maybeFail(Call.SET_UNMAP_NOTIFY);
                space.setUnmapNotify(allocation, page, notify);
            }

            @Override
            public LentDescriptors openDescriptors(List<GrantAllocation> allocations, boolean write) {
                return space.openDescriptors(allocations, write);
            }

            @Override
            public void close() {
                space.close();
            }
        };
    }

    @Override
    public boolean enforcesReadOnlyDescriptors() {
        return delegate.enforcesReadOnlyDescriptors();
    }

    @Override
    public Optional<Path> deviceLentOnlyToItsOpeners() {
        return delegate.deviceLentOnlyToItsOpeners();
    }

    @Override
    public PoolUsage usage() {
        return delegate.usage();
    }

    @Override
    public ImmutableMap<String, String> properties() {
        return delegate.properties();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
