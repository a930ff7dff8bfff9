package dev.nin.track;

import dev.nin.io.Redaction;

import java.util.List;

/**
 * Addresses of nin's runs in MLflow's web UI. MLflow 3.18 opens an experiment on its GenAI
 * onboarding page ("Send your first trace") unless the address asks for the classic workflow;
 * {@code ?workflowType=machine_learning} opens the Runs table, where a sweep's trials are. The
 * tracking URI is shown without credentials (the UI asks for them itself).
 */
public final class MlflowUi {

    /** The query that opens the Runs table rather than the GenAI onboarding page. */
    public static final String RUNS_TABLE = "?workflowType=machine_learning";

    private MlflowUi() {}

    /** An experiment's Runs table, e.g. {@code http://127.0.0.1:5000/#/experiments/3?workflowType=machine_learning}. */
    public static String experiment(String trackingUri, String experimentId) {
        return base(trackingUri) + "/#/experiments/" + experimentId + RUNS_TABLE;
    }

    /** One run's page, e.g. {@code http://127.0.0.1:5000/#/experiments/3/runs/ab12…?workflowType=machine_learning}. */
    public static String run(String trackingUri, String experimentId, String runId) {
        return base(trackingUri) + "/#/experiments/" + experimentId + "/runs/" + runId + RUNS_TABLE;
    }

    /**
     * Where the UI at {@code trackingUri} shows a sweep ({@code kind} "sweep": its experiment's Runs
     * table) or a trial ("trial": its run), as the store's link to that server says; empty before a
     * sync has linked it, or when the store cannot say.
     */
    public static java.util.Optional<String> address(dev.nin.store.Store store, String trackingUri, String kind, long localId) {
        String uri = trackingUri.replaceAll("/+$", "");
        try {
            return new dev.nin.store.MlflowOutbox(store).link(uri, kind, localId).map(link -> kind.equals("sweep")
                    ? experiment(uri, link.experimentId()) : run(uri, link.experimentId(), link.runId()));
        } catch (java.sql.SQLException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The server's address without user-info, query or fragment (a browser asks for credentials itself). */
    private static String base(String trackingUri) {
        String base = trackingUri;
        try {
            java.net.URI uri = new java.net.URI(trackingUri);
            if (uri.getScheme() != null && uri.getHost() != null) {
                base = new java.net.URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
            }
        } catch (java.net.URISyntaxException e) {
            // Not a URI: shown as it is, redacted.
        }
        return Redaction.redact(base, List.of()).replaceAll("/+$", "");
    }
}
