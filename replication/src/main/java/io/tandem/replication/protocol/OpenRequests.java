package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests this replica made of one peer and whose records have not come yet, asked again over a
 * lossy link until they do. In interactive mode a record crosses a link in three legs: offer,
 * request, records. The offerer repeats its offer until acked and, once requested, its records
 * until acked; without this, the request itself went once, in answer to an offer, so a lost
 * request waited for the next offer and the exchange succeeded only when offer and request both
 * got through in turn: with nine frames in ten lost, one offer in a hundred (part 4, world (a):
 * seed 4's median 20 s, of which records passing through the third device waited minutes). Each
 * leg repeated by its own sender, as MVDS does with its REQUEST records, costs a tenth.
 *
 * <p>Law: only what {@code mine} still lacks is asked again, of feeds this peer offered; once the
 * records are here (from this peer or any other) the request is dropped; the delay doubles from
 * {@code firstMillis} to {@code capMillis} while nothing comes and starts again at the first
 * after progress. With {@code firstMillis} 0 (an ordered transport, where a request is not lost
 * without the session hearing of it) nothing is kept.
 */
final class OpenRequests {

  private final long firstMillis;
  private final long capMillis;
  /** Per feed, the highest record requested and not yet held. */
  private final Map<ReplicaId, Long> upTo = new TreeMap<>();
  private long delay;
  private long next = Long.MAX_VALUE;

  OpenRequests(long firstMillis, long capMillis) {
    this.firstMillis = firstMillis;
    this.capMillis = capMillis;
    this.delay = firstMillis;
  }

  /** {@code ranges} were just requested of the peer. */
  void asked(List<Range> ranges, long now) {
    if (firstMillis == 0 || ranges.isEmpty()) {
      return;
    }
    for (Range r : ranges) {
      upTo.merge(r.origin(), r.to(), Math::max);
    }
    next = Math.min(next, now + delay);
  }

  /** Records came: what is still open is asked again after the first delay, not a grown one. */
  void progress(long now) {
    delay = firstMillis;
    if (next != Long.MAX_VALUE) {
      next = Math.min(next, now + delay);
    }
  }

  /** The ranges to ask again at {@code now}, each from the first record {@code mine} lacks. */
  List<Range> due(VersionVector mine, long now) {
    upTo.entrySet().removeIf(e -> mine.get(e.getKey()) >= e.getValue());
    if (upTo.isEmpty()) {
      next = Long.MAX_VALUE;
      delay = firstMillis;
      return List.of();
    }
    if (now < next) {
      return List.of();
    }
    delay = Math.min(capMillis, delay * 2);
    next = now + delay;
    List<Range> out = new ArrayList<>();
    upTo.forEach((origin, to) -> out.add(new Range(origin, mine.get(origin) + 1, to)));
    return out;
  }
}
