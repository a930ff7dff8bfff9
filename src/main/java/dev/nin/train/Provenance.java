package dev.nin.train;

import dev.nin.engine.RuntimeInfo;

/**
 * Where a result came from, recorded with every trial.
 *
 * @param ninVersion this app's version
 * @param gitCommit commit of the nin checkout that ran it ({@code unknown} outside a git checkout)
 * @param djlVersion DJL's version
 * @param tensorflowVersion TensorFlow's version as DJL reports it
 * @param javaVersion the JVM's version
 */
public record Provenance(String ninVersion, String gitCommit, String djlVersion, String tensorflowVersion,
        String javaVersion) {

    /** The launcher passes the checkout's commit as this system property. */
    public static final String GIT_COMMIT_PROPERTY = "nin.git.commit";

    /** This build's version (the jar manifest's, or the development version). */
    public static String buildVersion() {
        String version = Provenance.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-SNAPSHOT" : version;
    }

    public static Provenance of(RuntimeInfo runtime) {
        return new Provenance(buildVersion(),
                System.getProperty(GIT_COMMIT_PROPERTY, "unknown"), runtime.djlVersion(), runtime.tensorflowVersion(),
                System.getProperty("java.version"));
    }
}
