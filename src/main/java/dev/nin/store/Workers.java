package dev.nin.store;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Names the process that runs a trial ({@code host:pid}) and tells whether such a process is gone. */
public final class Workers {

    private Workers() {}

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** This process, as recorded in {@code trials.worker}. */
    public static String self() {
        return host() + ":" + ProcessHandle.current().pid();
    }

    /** True when {@code worker} names a process on {@code host} that no longer runs. */
    public static boolean isDeadOnThisHost(String worker, String host) {
        if (worker == null || !worker.startsWith(host + ":")) {
            return false;
        }
        try {
            long pid = Long.parseLong(worker.substring(host.length() + 1));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
