package org.gntfs.engine.session;

/** Turns what a filesystem method threw into the errno its reply carries: the one place, per filesystem. */
@FunctionalInterface
public interface ErrorMapper {
    /** A positive errno for {@code failure} of {@code request}; it may log. */
    int errnoOf(Request request, Throwable failure);
}
