package io.tandem.crdt;

import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/** A depth-first walk with an explicit stack: entries of a node, then its children. */
final class TrieEntries<K, V> implements Iterator<Map.Entry<K, V>> {
  private final TrieNode[] path = new TrieNode[TrieNode.LEVELS];
  private final int[] cursor = new int[TrieNode.LEVELS];
  private int depth;

  TrieEntries(TrieNode root) {
    path[0] = root;
    depth = root.size == 0 ? -1 : 0;
  }

  @Override
  public boolean hasNext() {
    while (depth >= 0) {
      TrieNode n = path[depth];
      int c = cursor[depth];
      if (c < n.dataEnd(depth * TrieNode.BITS)) {
        return true;
      }
      if (c < n.content.length) {
        cursor[depth] = c + 1;
        path[++depth] = (TrieNode) n.content[c];
        cursor[depth] = 0;
      } else {
        path[depth--] = null;
      }
    }
    return false;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Map.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    TrieNode n = path[depth];
    int c = cursor[depth];
    cursor[depth] = c + 2;
    return new AbstractMap.SimpleImmutableEntry<>((K) n.content[c], (V) n.content[c + 1]);
  }
}
