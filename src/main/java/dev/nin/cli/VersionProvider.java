package dev.nin.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code nin --version}: the app's version and what it runs on. */
public class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"nin " + (version == null ? "development build" : version),
            "DJL 0.36.0 with TensorFlow 2.16.1 (TensorFlow Java 1.0.0-rc.1); Java " + System.getProperty("java.version")};
    }
}
