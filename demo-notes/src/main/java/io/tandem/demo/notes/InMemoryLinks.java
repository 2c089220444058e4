package io.tandem.demo.notes;

import io.tandem.replication.memory.InMemoryNetwork;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Devices on one {@link InMemoryNetwork}, every pair connected while both are online. Taking a
 * device offline disconnects its links at the network, which ends its sessions on both sides.
 */
final class InMemoryLinks {

  private final InMemoryNetwork network;
  private final List<String> names;
  private final Set<String> offline = new HashSet<>();

  InMemoryLinks(InMemoryNetwork network, List<String> names) {
    this.network = network;
    this.names = List.copyOf(names);
  }

  /** Connects every pair; call once every endpoint exists. */
  synchronized void connectAll() {
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        network.connect(names.get(i), names.get(j));
      }
    }
  }

  Connectivity of(String name) {
    return new Connectivity() {
      @Override
      public boolean online() {
        synchronized (InMemoryLinks.this) {
          return !offline.contains(name);
        }
      }

      @Override
      public void setOnline(boolean on) {
        set(name, on);
      }
    };
  }

  private synchronized void set(String name, boolean on) {
    if (on ? !offline.remove(name) : !offline.add(name)) {
      return;
    }
    for (String other : names) {
      if (other.equals(name) || offline.contains(other)) {
        continue;
      }
      if (on) {
        network.connect(name, other);
      } else {
        network.disconnect(name, other);
      }
    }
  }
}
