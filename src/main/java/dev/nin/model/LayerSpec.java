package dev.nin.model;

/**
 * One stage of a NiN network, as data. A {@link ModelSpec} is an ordered list of these; the graph
 * builder and the cost counter both walk that list, so an ablation is a different list, never a
 * different code path.
 */
public sealed interface LayerSpec permits NinBlock, MaxPool, Dropout, GlobalAvgPool {

    /** Short human name of the stage kind, used in layer tables ("nin_block", "max_pool", …). */
    String kind();
}
