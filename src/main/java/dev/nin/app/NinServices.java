package dev.nin.app;

import dev.nin.data.DatasetLocator;
import dev.nin.data.FashionMnist;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.engine.TensorFlowRuntime;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The process-wide pieces the commands share: where the nin home is, TensorFlow (loaded once), and
 * the dataset (read, checked and decoded once, then shared by every run in the process).
 */
@ApplicationScoped
public class NinServices {

    private final Path home;
    private final boolean download;
    private final TensorFlowRuntime tensorflow = TensorFlowRuntime.fromSystemProperties();
    private FashionMnist dataset;
    private Path datasetFolder;

    public NinServices(@ConfigProperty(name = "nin.home") Path home,
            @ConfigProperty(name = "nin.data.download", defaultValue = "true") boolean download) {
        this.home = home;
        this.download = download;
    }

    /** The nin home ({@code ~/.nin} unless NIN_HOME or nin.home says otherwise). */
    public Path home() {
        return home;
    }

    public RuntimeInfo tensorflow(DeviceRequest request, Consumer<String> notices) {
        return tensorflow.load(request, notices);
    }

    /** Fashion-MNIST from {@code folder} or the usual places, verified; cached for the process. */
    public synchronized FashionMnist dataset(Optional<Path> folder, Consumer<String> progress) {
        DatasetLocator locator = new DatasetLocator(home.resolve("data"), DatasetLocator.DEBIAN_FOLDER,
                download ? DatasetLocator.CANONICAL_MIRROR : null);
        Path found = locator.locate(folder, progress);
        if (dataset == null || !found.equals(datasetFolder)) {
            dataset = FashionMnist.load(found);
            datasetFolder = found;
        }
        return dataset;
    }
}
