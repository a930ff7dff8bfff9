package dev.nin.model;

import dev.nin.config.UsageException;

/**
 * A NiN block: one k×k convolution followed by {@code oneByOneConvs} 1×1 convolutions, each
 * followed by ReLU. All convolutions have {@code outChannels} filters and biases.
 *
 * @param outChannels filters of every convolution in the block (≥ 1)
 * @param kernel side of the first convolution's square window, in pixels (≥ 1)
 * @param stride stride of the first convolution (≥ 1); 1×1 convolutions use stride 1
 * @param padding zero padding on each side for the first convolution (≥ 0, < kernel)
 * @param oneByOneConvs number of 1×1 convolutions after the first one (0…8; the book uses 2)
 */
public record NinBlock(int outChannels, int kernel, int stride, int padding, int oneByOneConvs)
        implements LayerSpec {

    /** Convolutions per block in the book's network: one k×k and two 1×1. */
    public static final int BOOK_ONE_BY_ONE_CONVS = 2;

    public NinBlock {
        Checks.atLeast("nin_block.out_channels", outChannels, 1);
        Checks.atLeast("nin_block.kernel", kernel, 1);
        Checks.atLeast("nin_block.stride", stride, 1);
        Checks.atLeast("nin_block.padding", padding, 0);
        if (padding >= kernel) {
            throw new UsageException(
                    "nin_block.padding: expected less than the kernel (" + kernel + "), found " + padding);
        }
        Checks.between("nin_block.one_by_one_convs", oneByOneConvs, 0, 8);
    }

    @Override
    public String kind() {
        return "nin_block";
    }

    /** The same block with a different number of 1×1 convolutions. */
    public NinBlock withOneByOneConvs(int count) {
        return new NinBlock(outChannels, kernel, stride, padding, count);
    }
}
