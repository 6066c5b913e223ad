package org.gntfs.region;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.gntfs.protocol.GrantsFile;
import org.jspecify.annotations.Nullable;

/**
 * The text of the virtual {@code .grants} file: one line per live region, in the format of
 * {@link GrantsFile}, in path order, and only the regions its reader could find by walking the tree.
 * A region with several names (hard links) is listed once, by the oldest of its names that the
 * reader can reach; one without a name left, by its last path, as {@code (deleted)}.
 *
 * <p>An open costs time linear in what the reader may see, and holds the tree's lock only to copy
 * the tree's shape: {@link #take} copies, under the shared lock, the children of each directory the
 * reader may search (pointers, no paths); then, without it, each listed region's grants, under the
 * region's own lock. The lines are rendered as they are read ({@link OpenText}): each folder's
 * entries sorted once, each path built once from one growing prefix. An unsearchable directory is
 * never entered, so its subtree costs nothing.
 */
public final class GrantsReport {
    /** Orders siblings as their paths sort: a directory's subtree as its name followed by '/'. */
    private static final Comparator<Entry> PATH_ORDER = Comparator.comparing(entry -> entry.key);

    private final Folder root;
    /** The live regions no longer linked, by their last path; each line's key is that path. */
    private final List<Entry> unlinked;
    private final List<Entry> regions;

    private GrantsReport(Folder root, List<Entry> unlinked, List<Entry> regions) {
        this.root = root;
        this.unlinked = unlinked;
        this.regions = regions;
    }

    /** The report's lines for {@code reader} as the tree is now, the header first, each with its newline. */
    static Iterator<String> take(Credentials reader, Directory root, Collection<Region> live, ReadWriteGuard lock) {
        GrantsReport report = lock.shared(() -> snapshot(reader, root, live));
        report.regions.forEach(Entry::captureGrants);
        return report.new Lines();
    }

    /**
     * Copies what {@code reader} may see: the tree from {@code root} down through each directory it
     * may search (needing search permission on every directory from the root down to a region), and
     * the live regions no longer linked, which have no such path; those are shown to their owner,
     * who may still hold them open, and to whoever may search every directory. The caller holds
     * the tree's lock, so that no rename moves a node while it is copied.
     */
    private static GrantsReport snapshot(Credentials reader, Directory root, Collection<Region> live) {
        List<Entry> unlinked = new ArrayList<>();
        for (Region region : live) {
            if ((region.links().isEmpty() || !region.isLinked())
                    && (reader.searchesEveryDirectory() || reader.uid() == region.uid())) {
                unlinked.add(new Entry(region.path(), region, null));
            }
        }
        unlinked.sort(PATH_ORDER.thenComparing(entry -> Objects.requireNonNull(entry.region).inode()));
        List<Entry> regions = new ArrayList<>(unlinked);
        // Only regions with several names: one name is its oldest, and most regions have one.
        Map<Region, Entry> oldestReachable = new HashMap<>();
        Folder top = new Folder();
        if (reader.maySearch(root)) {
            Deque<Folder> folders = new ArrayDeque<>(List.of(top));
            Deque<Directory> directories = new ArrayDeque<>(List.of(root));
            while (!directories.isEmpty()) {
                Folder folder = folders.pop();
                Directory directory = directories.pop();
                directory.forEachEntry((name, child) -> {
                    if (child instanceof Region region && region.isLinked() && live.contains(region)) {
                        Entry entry = new Entry(name, region, null);
                        folder.entries.add(entry);
                        if (region.links().size() == 1) {
                            entry.shown = true;
                            regions.add(entry);
                        } else {
                            entry.age = region.links().indexOf(new Node.Link(directory, name));
                            oldestReachable.merge(region, entry, (kept, other) -> kept.age <= other.age ? kept : other);
                        }
                    } else if (child instanceof Directory sub && reader.maySearch(sub)) {
                        Folder inner = new Folder();
                        folder.entries.add(new Entry(name + "/", null, inner));
                        folders.push(inner);
                        directories.push(sub);
                    }
                });
            }
        }
        for (Entry shown : oldestReachable.values()) {
            shown.shown = true;
            regions.add(shown);
        }
        return new GrantsReport(top, List.copyOf(unlinked), regions);
    }

    /** Walks the snapshot depth first, with one growing path for the folder it is in. */
    private final class Lines implements Iterator<String> {
        private final StringBuilder prefix = new StringBuilder("/");
        private final Deque<Cursor> stack = new ArrayDeque<>();
        private int nextUnlinked;
        private boolean headerTaken;

        private Lines() {
            stack.push(new Cursor(root, prefix.length()));
        }

        @Override
        public boolean hasNext() {
            return !headerTaken || atLinkedRegion() || nextUnlinked < unlinked.size();
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (!headerTaken) {
                headerTaken = true;
                return GrantsFile.HEADER + "\n";
            }
            if (atLinkedRegion()) {
                Cursor at = stack.element();
                Entry entry = at.entries[at.next];
                prefix.setLength(at.prefixLength);
                String path = prefix.append(entry.key).toString();
                if (nextUnlinked == unlinked.size() || !precedes(unlinked.get(nextUnlinked), path, entry)) {
                    at.next++;
                    return entry.line(path);
                }
            }
            Entry deleted = unlinked.get(nextUnlinked++);
            return deleted.line(deleted.key);
        }

        /** Moves to the next linked region, entering folders; false once none is left. */
        private boolean atLinkedRegion() {
            while (!stack.isEmpty()) {
                Cursor at = stack.element();
                if (at.next == at.entries.length) {
                    stack.pop();
                    continue;
                }
                Entry entry = at.entries[at.next];
                if (entry.folder == null) {
                    return true;
                }
                at.next++;
                prefix.setLength(at.prefixLength);
                stack.push(new Cursor(entry.folder, prefix.append(entry.key).length()));
            }
            return false;
        }
    }

    private static boolean precedes(Entry unlinked, String path, Entry linked) {
        int order = unlinked.key.compareTo(path);
        return order < 0
                || (order == 0 && Objects.requireNonNull(unlinked.region).inode() < Objects.requireNonNull(linked.region).inode());
    }

    /**
     * A child worth printing or entering: a region, or a directory the reader may search. A
     * region's grants are captured once, after the tree's lock is dropped.
     */
    private static final class Entry {
        private final String key;
        private final @Nullable Region region;
        private final @Nullable Folder folder;
        /** Which of its region's names this is, 0 for the oldest: a region is listed once, by its oldest the reader reaches. */
        private int age;
        /** Whether this is the name its region is listed by; folders and unlinked regions are always listed. */
        private boolean shown;
        private Region.@Nullable GrantSummary grant;
        private boolean linked;
        private int loans;

        private Entry(String key, @Nullable Region region, @Nullable Folder folder) {
            this.key = key;
            this.region = region;
            this.folder = folder;
        }

        private void captureGrants() {
            Region listed = Objects.requireNonNull(region);
            grant = listed.summary();
            linked = listed.isLinked();
            loans = listed.loanCount();
        }

        private String line(String path) {
            Region.GrantSummary captured = Objects.requireNonNull(grant);
            return GrantsFile.render(GrantsFile.Line.of(
                    path, linked, captured.domid(), captured.writable(), loans, captured.grefs().asList()));
        }
    }

    /** A searchable directory as the snapshot found it. */
    private static final class Folder {
        private final List<Entry> entries = new ArrayList<>();
    }

    /** Where {@link Lines} is within one folder: its sorted entries, and the length of its path. */
    private static final class Cursor {
        private final Entry[] entries;
        private final int prefixLength;
        private int next;

        private Cursor(Folder folder, int prefixLength) {
            this.entries = folder.entries.stream().filter(entry -> entry.folder != null || entry.shown).toArray(Entry[]::new);
            Arrays.sort(entries, PATH_ORDER);
            this.prefixLength = prefixLength;
        }
    }
}
