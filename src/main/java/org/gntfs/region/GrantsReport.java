package org.gntfs.region;

import java.util.List;
import org.gntfs.protocol.GrantsFile;

/**
 * The text of the virtual {@code .grants} file: one line per live region, in the format of
 * {@link GrantsFile}, and only the regions its reader could find by walking the tree.
 */
public final class GrantsReport {
    private GrantsReport() {}

    public static String render(List<Region> regions) {
        return GrantsFile.render(regions.stream().map(GrantsReport::line).toList());
    }

    /**
     * The regions {@code reader} may see: those it could reach by name, having search permission
     * on every directory from the root down to them. An unlinked region has no such path; it is
     * shown to its owner, who may still hold it open, and to whoever may search every directory.
     * The caller holds the tree's lock, so that no rename moves a region while its path is walked.
     */
    static List<Region> visibleTo(Credentials reader, List<Region> regions) {
        return regions.stream().filter(region -> isVisible(reader, region)).toList();
    }

    private static boolean isVisible(Credentials reader, Region region) {
        Directory parent = region.parent();
        if (parent == null || !region.isLinked()) {
            return reader.searchesEveryDirectory() || reader.uid() == region.uid();
        }
        for (Directory directory = parent; directory != null; directory = directory.parent()) {
            if (!reader.maySearch(directory)) {
                return false;
            }
        }
        return true;
    }

    private static GrantsFile.Line line(Region region) {
        Region.GrantSummary grant = region.summary();
        return GrantsFile.Line.of(region.path(), region.isLinked(), grant.domid(), grant.writable(), region.loanCount(),
                grant.grefs().asList());
    }
}
