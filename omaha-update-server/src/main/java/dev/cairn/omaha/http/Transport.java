package dev.cairn.omaha.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.concurrent.Executor;

/**
 * The root handler of the server: it puts the body and write timeouts ({@link StallGuards}) on
 * every exchange, and hands the handlers, through {@link #of}, what they share about the
 * transport: the limits, the log of refusals, the file threads and the health probe.
 */
final class Transport implements HttpHandler {
  private static final AttachmentKey<Transport> KEY = AttachmentKey.create(Transport.class);

  private final HttpHandler next;
  private final Limits limits;
  private final RefusalLog refusals;
  private final Executor files;
  private final Health health;

  Transport(HttpHandler next, Limits limits, RefusalLog refusals, Executor files, Health health) {
    this.next = next;
    this.limits = limits;
    this.refusals = refusals;
    this.files = files;
    this.health = health;
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    ex.putAttachment(KEY, this);
    if (!ex.isRequestComplete()) {
      ex.addRequestWrapper((factory, e) -> StallGuards.reading(factory.create(), e, limits.body(), refusals));
    }
    ex.addResponseWrapper((factory, e) -> StallGuards.writing(factory.create(), e, limits.write(), refusals));
    next.handleRequest(ex);
  }

  /** The transport of the server {@code ex} came in on. */
  static Transport of(HttpServerExchange ex) {
    Transport t = ex.getAttachment(KEY);
    if (t == null) {
      throw new IllegalStateException("the exchange did not come through the server's root handler");
    }
    return t;
  }

  Limits limits() {
    return limits;
  }

  RefusalLog refusals() {
    return refusals;
  }

  /** The threads that look files up and send them (see {@link FileSend}). */
  Executor files() {
    return files;
  }

  Health health() {
    return health;
  }
}
