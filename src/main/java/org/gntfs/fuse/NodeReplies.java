package org.gntfs.fuse;

import org.gntfs.Fault;
import org.gntfs.GntfsException;
import org.gntfs.engine.abi.Attr;
import org.gntfs.engine.abi.EntryOut;
import org.gntfs.engine.node.NodeTable;
import org.gntfs.region.Directory;
import org.gntfs.region.Node;
import org.gntfs.region.RegionTree;

/**
 * The nodes the kernel knows by id, and how they are told to it: an entry hands a node out (one
 * lookup more), an attribute reply describes it.
 */
final class NodeReplies {
    private final RegionTree tree;
    private final NodeTable<Node> nodes;

    NodeReplies(RegionTree tree) {
        this.tree = tree;
        this.nodes = new NodeTable<>(tree.root());
    }

    NodeTable<Node> table() {
        return nodes;
    }

    /** Hands {@code node} to the kernel under its inode number, with its attributes as they are now. */
    void entry(EntryOut entry, Node node) {
        nodes.remember(node.inode(), node);
        entry.node(node.inode(), 0);
        attr(entry.attr(), node);
    }

    /** A removed directory shows no links, as on tmpfs; the tree still counts its "." and "..". */
    void attr(Attr attr, Node node) {
        Attributes.fill(attr, node);
        if (node instanceof Directory directory && directory != tree.root() && directory.parent() == null) {
            attr.nlink(0);
        }
    }

    Node node(long id) {
        Node node = nodes.get(id);
        if (node == null) {
            throw GntfsException.of(Fault.NOT_FOUND, "no node has id %d", id);
        }
        return node;
    }
}
