package dev.nin.train;

/** A child process for {@link MemoryProbeTimeoutTest}: says it started, then never answers. */
public final class HangingChild {

    private HangingChild() {}

    public static void main(String[] args) throws InterruptedException {
        System.out.println("hanging child started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
