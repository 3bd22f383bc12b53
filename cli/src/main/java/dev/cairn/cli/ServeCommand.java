package dev.cairn.cli;

import dev.cairn.omaha.MachineSighting;
import dev.cairn.omaha.cli.ServeOptions;
import dev.cairn.omaha.cli.UpdateServer;
import dev.cairn.omaha.http.OmahaServer;
import dev.cairn.pxe.Installs;
import dev.cairn.pxe.Labels;
import dev.cairn.pxe.files.BootFiles;
import dev.cairn.pxe.http.BootAdmin;
import dev.cairn.pxe.http.BootRoutes;
import dev.cairn.pxe.http.SightingBatcher;
import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code cairn serve}: every server of the process on one listener, one data directory, one
 * database, one admin token and one metrics registry. Wiring only: each server is started by its
 * own module, and puts its routes on the update server's listener as an {@link OmahaServer.Mount}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run Cairn's servers on one listener: the boot server (/boot.ipxe, /ipxe, /grub, /cloud-config,",
        "/metadata, /assets/, /installed), the Omaha update endpoint, health, metrics and the admin API.",
        "First start creates the data directory, the database with the CoreOS app, channels",
        "alpha, beta, stable and a group for each, and an admin token file."})
final class ServeCommand implements Callable<Integer> {
  @Mixin ServeOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    UpdateServer.Prepared prepared = UpdateServer.prepare(options, out);
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    List<AutoCloseable> open = new ArrayList<>();
    BootFiles boot = BootFiles.open(options.dataDir());
    open.add(boot);
    AtomicReference<UpdateServer> started = new AtomicReference<>();
    SightingBatcher sightings = SightingBatcher.start((r, at, requests, repeats) -> {
      UpdateServer s = started.get();
      if (s == null) {
        return null;
      }
      MachineSighting sighting = MachineSighting.of(at, r.labels(), r.address(), r.group(), r.profile(), r.endpoint(),
          r.outcome());
      return repeats ? s.recordRepeats(sighting, requests) : s.recordMachine(sighting, requests);
    });
    BootRoutes bootRoutes = new BootRoutes(boot, prepared::publicUrl, registry, sightings, new StoreInstalls(started));
    List<OmahaServer.Mount> mounts = List.of(new OmahaServer.Mount("boot", BootRoutes::serves, bootRoutes, boot::problem),
        // under /api/v1/: reached only with the admin token
        new OmahaServer.Mount("boot-admin", BootAdmin::serves, new BootAdmin(boot), Optional::empty));
    UpdateServer server;
    try {
      server = prepared.start(new OpenPgpReleaseKeys(), registry, mounts, out, err);
    } catch (Exception e) {
      sightings.close();
      boot.close();
      throw e;
    }
    started.set(server);
    open.add(0, server);
    open.add(0, sightings);    // its last counted requests written before the database closes
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception e) {
          err.println("cairn serve: while stopping: " + e.getMessage());
        }
      }
      err.flush();
      stopped.countDown();
    }, "cairn-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * The boot server's install marks, kept by the store (the database is the truth; the store keeps
   * every mark in memory, read at start and changed with each record and reinstall), by the
   * inventory's machine key: the MAC, else the UUID.
   */
  private record StoreInstalls(AtomicReference<UpdateServer> server) implements Installs {
    @Override
    public Optional<Installed> of(Labels labels) {
      UpdateServer s = server.get();
      String key = key(labels);
      return s == null || key == null ? Optional.empty()
          : s.installed(key).map(i -> new Installed(i.key(), i.at(), i.profile()));
    }

    @Override
    public Installed record(Labels labels, String profile, String address) {
      UpdateServer s = server.get();
      if (s == null) {
        throw new IllegalStateException("the database is not open yet");
      }
      String key = key(labels);
      if (key == null) {
        throw new IllegalArgumentException("a machine is recorded installed by its mac or uuid label, and "
            + labels.describe() + " has neither");
      }
      var i = s.recordInstall(key, profile, address);
      return new Installed(i.key(), i.at(), i.profile());
    }

    /** The inventory's key of the machine (MachineSighting#machineKey), or null without a MAC or UUID. */
    private static String key(Labels labels) {
      String key = MachineSighting.machineKey(labels.get(Labels.MAC).orElse(null), labels.get(Labels.UUID).orElse(null),
          "-");
      return key.startsWith("addr:") ? null : key;
    }
  }
}
