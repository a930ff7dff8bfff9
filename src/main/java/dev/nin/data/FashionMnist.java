package dev.nin.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST: 60,000 training and 10,000 test images of 28x28, ten clothing classes.
 *
 * @param train the training set
 * @param test the test set (reported, never tuned on)
 * @param source the folder the files were read from
 */
public record FashionMnist(ImageSet train, ImageSet test, Path source) {

    /** Class names, indexed by label, as the book prints them. */
    public static final List<String> CLASS_NAMES = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle boot");

    /** Display names as Zalando publishes them. */
    public static final List<String> CLASS_TITLES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /**
     * One of the four files, with the SHA-256 of its decompressed bytes (computed once from Debian's
     * dataset-fashion-mnist package, whose gzip headers differ from Zalando's but not their content).
     */
    public enum File {
        TRAIN_IMAGES("train-images-idx3-ubyte", 47_040_016L,
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        TRAIN_LABELS("train-labels-idx1-ubyte", 60_008L,
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        TEST_IMAGES("t10k-images-idx3-ubyte", 7_840_016L,
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        TEST_LABELS("t10k-labels-idx1-ubyte", 10_008L,
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

        public final String baseName;
        public final long bytes;
        public final String sha256;

        File(String baseName, long bytes, String sha256) {
            this.baseName = baseName;
            this.bytes = bytes;
            this.sha256 = sha256;
        }

        public String gzName() {
            return baseName + ".gz";
        }
    }

    /**
     * Reads and verifies the four files in {@code folder} (each either {@code name.gz} or {@code name}).
     *
     * @throws DataException naming the first file that is missing or fails a check
     */
    public static FashionMnist load(Path folder) {
        // Every file's header and size first (a few bytes each), so a wrong file is refused
        // before 55 MB of the others are read and hashed.
        for (File f : File.values()) {
            Path path = locate(folder, f);
            if (f.baseName.contains("images")) {
                IdxReader.checkImageFile(path);
            } else {
                IdxReader.checkLabelFile(path);
            }
        }
        ImageSet train = pair(folder, File.TRAIN_IMAGES, File.TRAIN_LABELS);
        ImageSet test = pair(folder, File.TEST_IMAGES, File.TEST_LABELS);
        return new FashionMnist(train, test, folder);
    }

    private static ImageSet pair(Path folder, File imagesFile, File labelsFile) {
        IdxReader.Images images = IdxReader.readImages(locate(folder, imagesFile), imagesFile.sha256);
        IdxReader.Labels labels = IdxReader.readLabels(locate(folder, labelsFile), labelsFile.sha256);
        if (images.count() != labels.count() || images.rows() != ImageSet.SIDE || images.columns() != ImageSet.SIDE) {
            throw new DataException(folder + ": " + images.count() + " images of " + images.rows() + "x"
                    + images.columns() + " and " + labels.count() + " labels do not make a Fashion-MNIST split");
        }
        return new ImageSet(images.pixels(), labels.values());
    }

    /** The path of {@code file} in {@code folder}: the .gz if present, else the plain one. */
    public static Path locate(Path folder, File file) {
        Path gz = folder.resolve(file.gzName());
        if (java.nio.file.Files.exists(gz)) {
            return gz;
        }
        Path plain = folder.resolve(file.baseName);
        return java.nio.file.Files.exists(plain) ? plain : gz;
    }

    /** True when all four files exist in {@code folder} (not yet verified). */
    public static boolean present(Path folder) {
        for (File f : File.values()) {
            if (!java.nio.file.Files.exists(locate(folder, f))) {
                return false;
            }
        }
        return true;
    }
}
