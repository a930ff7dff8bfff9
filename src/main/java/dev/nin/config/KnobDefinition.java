package dev.nin.config;

/**
 * What {@link Knob#canonical} needs of a knob: an interface, so that the rule for knobs added
 * later can be tested with a knob that does not exist yet.
 */
public interface KnobDefinition {

    /** Dotted path in the canonical config JSON, or null when the knob is not written there. */
    String jsonPath();

    Object defaultValue();

    /** Whether the canonical JSON leaves the knob out while it is at its default. */
    boolean omittedAtDefault();
}
