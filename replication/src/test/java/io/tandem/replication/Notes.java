package io.tandem.replication;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;

/** Tiny app helpers for scenario tests: contacts and drafts as maps of LWW strings. */
final class Notes {

  private Notes() {}

  static OrMap<String, LwwRegister<String>> map() {
    return OrMap.empty();
  }

  static Write put(Replica r, String object, String key, String value) {
    return r.update(object, map(), (m, w) -> m.update(w.replica(), key, LwwRegister.empty(),
        v -> v.assign(w.hlc(), value)));
  }

  static String get(Replica r, String object, String key) {
    LwwRegister<String> v = r.get(object, map()).get(key);
    return v == null ? null : v.value();
  }
}
